// Typed, named tensors (core/value.hpp), dtypes and float16 (core/dtype.hpp), the .npy reader for
// every dtype, and the protocol carrying several tensors of several dtypes.
#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/dtype.hpp"
#include "core/error.hpp"
#include "core/npy.hpp"
#include "core/value.hpp"
#include "runtime/protocol.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

template <typename T>
Value make(const std::string& name, DType t, Shape shape, std::vector<T> v) {
  Value out(name, t, std::move(shape));
  EXPECT_EQ(out.bytes.size(), v.size() * sizeof(T));
  std::memcpy(out.bytes.data(), v.data(), out.bytes.size());
  return out;
}

TEST(DType, TableIsConsistent) {
  for (auto t : {DType::f32, DType::f16, DType::f64, DType::i64, DType::i32, DType::i16, DType::i8,
                 DType::u8, DType::u16, DType::u32, DType::u64, DType::boolean}) {
    EXPECT_EQ(parse_dtype(dtype_name(t)), t);
    EXPECT_EQ(dtype_from_npy(npy_descr(t)), t);
  }
  EXPECT_EQ(dtype_size(DType::f16), 2U);
  EXPECT_EQ(dtype_size(DType::boolean), 1U);
  EXPECT_FALSE(parse_dtype("bfloat16"));
}

TEST(DType, HalfRoundTripsEveryFiniteHalf) {
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const auto hh = static_cast<std::uint16_t>(h);
    const float f = half_to_float(hh);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(half_to_float(float_to_half(f))));
      continue;
    }
    EXPECT_EQ(float_to_half(f), hh) << "half 0x" << std::hex << h;
  }
  EXPECT_EQ(half_to_float(0x3c00), 1.0F);
  EXPECT_EQ(half_to_float(0xc000), -2.0F);
  EXPECT_EQ(float_to_half(65520.0F), 0x7c00);            // rounds past the largest half: Inf
  EXPECT_EQ(float_to_half(1.0F + 1.0F / 4096), 0x3c00);  // ties to even
}

TEST(Value, SliceConcatAndConversions) {
  const Value ids = make<std::int64_t>("input_ids", DType::i64, {3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(ids.rows(), 3);
  const Value a = ids.slice_rows(0, 1), b = ids.slice_rows(1, 3);
  const Value parts[] = {a, b};
  const Value back = concat_rows(parts);
  EXPECT_EQ(back.bytes, ids.bytes);
  EXPECT_EQ(back.name, "input_ids");
  EXPECT_EQ(to_f32(ids).data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(to_f64(ids)[5], 6.0);
  EXPECT_EQ(describe(ids), "input_ids: int64 [3, 2]");
  EXPECT_THROW_WITH(Value("s", DType::f32, {}).rows(), DataError, "0-d");
  const Value other = make<std::int32_t>("x", DType::i32, {1, 2}, {1, 2});
  const Value mixed[] = {ids, other};
  EXPECT_THROW_WITH(concat_rows(mixed), DataError, "cannot concatenate");
}

TEST(Value, CastExactRefusesWhatWouldChange) {
  const Value f = from_tensor("ids", Tensor({1, 3}, {0, 7, 30521}));
  const Value i = cast_exact(f, DType::i64);
  EXPECT_EQ(i.raw<std::int64_t>()[2], 30521);
  EXPECT_THROW_WITH(cast_exact(from_tensor("ids", Tensor({1, 1}, {3.5F})), DType::i64), DataError,
                    "ids", "element 0", "int64");
  EXPECT_THROW_WITH(cast_exact(from_tensor("px", Tensor({1, 1}, {300})), DType::u8), DataError,
                    "uint8");
  EXPECT_THROW_WITH(cast_exact(from_tensor("m", Tensor({1, 1}, {2})), DType::boolean), DataError,
                    "bool");
  const Value h = cast_exact(from_tensor("h", Tensor({1, 2}, {0.5F, -2})), DType::f16);
  EXPECT_EQ(to_f32(h).data, (std::vector<float>{0.5F, -2}));
  EXPECT_THROW(cast_exact(from_tensor("h", Tensor({1, 1}, {1e-9F})), DType::f16), DataError);
}

TEST(Value, NonFiniteRowOfAnyFloatDtype) {
  Value h("h", DType::f16, {3, 2});
  h.raw_mut<std::uint16_t>()[5] = 0x7c00;  // +Inf in row 2
  EXPECT_EQ(first_non_finite_row(h), 2);
  const Value i = make<std::int64_t>("i", DType::i64, {2}, {1, 2});
  EXPECT_FALSE(first_non_finite_row(i));
}

class NpyDtypes : public testing::TempDirTest {};

TEST_F(NpyDtypes, EveryDtypeRoundTrips) {
  const Value vals[] = {
      make<double>("a", DType::f64, {2}, {1.25, -3}),
      make<std::uint16_t>("b", DType::f16, {1, 2}, {0x3c00, 0xc000}),
      make<std::int32_t>("c", DType::i32, {2, 1}, {-5, 7}),
      make<std::uint8_t>("d", DType::boolean, {3}, {1, 0, 1}),
      make<std::int8_t>("e", DType::i8, {2}, {-128, 127}),
      make<std::uint64_t>("f", DType::u64, {1}, {18446744073709551615ULL}),
  };
  for (const auto& v : vals) {
    write_npy(dir_ / (v.name + ".npy"), v);
    const Value r = read_npy(dir_ / (v.name + ".npy"), v.name);
    EXPECT_EQ(r.dtype, v.dtype) << v.name;
    EXPECT_EQ(r.shape, v.shape) << v.name;
    EXPECT_EQ(r.bytes, v.bytes) << v.name;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a.npy.tmp"));  // written atomically
}

TEST_F(NpyDtypes, ZeroDAndOverflowingShapesAreDataErrors) {
  write_npy(dir_ / "s.npy", Value("s", DType::f32, {}));
  EXPECT_EQ(read_npy(dir_ / "s.npy").shape, Shape{});  // a 0-d array reads, consumers refuse it
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size()) + '\0' + h;
  EXPECT_THROW_WITH(parse_npy(bytes, "big.npy"), DataError, "big.npy");
  std::string bad =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }";
  bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(bad.size()) + '\0' + bad;
  EXPECT_THROW_WITH(parse_npy(bytes, "huge.npy"), DataError, "huge.npy", "bad dimension");
  std::string str = "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }";
  bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(str.size()) + '\0' + str;
  EXPECT_THROW_WITH(parse_npy(bytes, "s.npy"), DataError, "unsupported dtype '<U3'");
}

// Several tensors of several dtypes through a real pipe, and a header that lies about its payload.
TEST(Protocol, CarriesNamedTypedTensors) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const protocol::Message m{
      {{"op", "run"}},
      {make<std::int64_t>("input_ids", DType::i64, {2, 2}, {101, 7, 101, 9}),
       make<std::uint8_t>("attention_mask", DType::boolean, {2, 2}, {1, 1, 1, 0}),
       make<std::uint16_t>("h", DType::f16, {2}, {0x3c00, 0x4000})}};
  protocol::write_message(fds[1], m);
  const auto r = protocol::read_message(fds[0], std::chrono::seconds(5));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header.value("op", ""), "run");
  EXPECT_FALSE(r->header.contains("tensors"));
  ASSERT_EQ(r->tensors.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r->tensors[i].name, m.tensors[i].name);
    EXPECT_EQ(r->tensors[i].dtype, m.tensors[i].dtype);
    EXPECT_EQ(r->tensors[i].shape, m.tensors[i].shape);
    EXPECT_EQ(r->tensors[i].bytes, m.tensors[i].bytes);
  }
  // A header announcing 16 bytes with a payload length of 8: a protocol error, not a crash.
  const std::string h = R"({"op":"run","tensors":[{"name":"x","dtype":"float32","shape":[4]}]})";
  const auto hl = static_cast<std::uint32_t>(h.size());
  const std::uint64_t pl = 8;
  ASSERT_EQ(::write(fds[1], &hl, 4), 4);
  ASSERT_EQ(::write(fds[1], h.data(), h.size()), static_cast<ssize_t>(h.size()));
  ASSERT_EQ(::write(fds[1], &pl, 8), 8);
  try {
    protocol::read_message(fds[0], std::chrono::seconds(5));
    ADD_FAILURE() << "no error";
  } catch (const WorkerError& e) {
    EXPECT_EQ(e.kind(), WorkerFailure::protocol);
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

// Writes one raw message (u32 header length, header, u64 payload length, payload) to fd.
void write_raw(int fd, const std::string& header, std::uint64_t payload_len,
               const std::string& payload = "") {
  const auto hl = static_cast<std::uint32_t>(header.size());
  ASSERT_EQ(::write(fd, &hl, 4), 4);
  ASSERT_EQ(::write(fd, header.data(), header.size()), static_cast<ssize_t>(header.size()));
  ASSERT_EQ(::write(fd, &payload_len, 8), 8);
  if (!payload.empty()) {
    ASSERT_EQ(::write(fd, payload.data(), payload.size()), static_cast<ssize_t>(payload.size()));
  }
}

WorkerFailure read_failure(int fd) {
  try {
    protocol::read_message(fd, std::chrono::seconds(5));
  } catch (const WorkerError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no WorkerError";
  return WorkerFailure::error_reply;
}

// Found by fuzz/fuzz_protocol: a float dimension went through nlohmann's get<int64_t>(), a cast
// that is undefined behaviour for 1e300 (UBSan aborts); integers only now.
TEST(Protocol, FloatDimensionsAreProtocolErrors) {
  for (const char* shape : {"[1e300]", "[2.5]", "[-1e300, 1]", "\"4\"", "[[2]]"}) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    write_raw(fds[1],
              std::string(R"({"op":"run","tensors":[{"name":"x","dtype":"float32","shape":)") +
                  shape + "}]}",
              0);
    EXPECT_EQ(read_failure(fds[0]), WorkerFailure::protocol) << shape;
    ::close(fds[0]);
    ::close(fds[1]);
  }
}

// A header announcing 4 TB, with a payload length to match, from a peer that then closes the
// pipe: the buffers grow only as bytes arrive, so this is "died", not a 4 TB allocation up front
// (which ASan and libFuzzer's malloc limit report as a crash, and which can exhaust a machine).
TEST(Protocol, AnnouncedSizeIsNotAllocatedBeforeThePayloadArrives) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  write_raw(fds[1],
            R"({"op":"run","tensors":[{"name":"x","dtype":"float32","shape":[1000000000000]}]})",
            4000000000000ULL, std::string(1000, '\0'));
  ::close(fds[1]);
  EXPECT_EQ(read_failure(fds[0]), WorkerFailure::died);
  ::close(fds[0]);
  // Sizes whose product overflows are refused before anything else.
  ASSERT_EQ(::pipe(fds), 0);
  write_raw(fds[1], R"({"tensors":[{"name":"x","dtype":"int64","shape":[4294967296,4294967296]}]})",
            0);
  EXPECT_EQ(read_failure(fds[0]), WorkerFailure::protocol);
  ::close(fds[0]);
  ::close(fds[1]);
}

// Found by review while fuzzing: parse_npy matched the header with std::regex, whose libstdc++
// executor recurses once per character and overflowed the stack on a long (v2, 4 GB length
// field) header. The header is now read in one pass.
TEST(NpyHeader, LongHeadersParseWithoutRecursion) {
  std::string dims;
  for (int i = 0; i < 200000; ++i) dims += "1, ";
  const std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  const auto len = static_cast<std::uint32_t>(h.size());
  std::string b = std::string("\x93NUMPY\x02\x00", 8);
  b.append(reinterpret_cast<const char*>(&len), 4);
  b += h;
  b += std::string(4, '\0');  // one float32
  const Value v = parse_npy(b, "long.npy");
  EXPECT_EQ(v.shape.size(), 200000U);
  EXPECT_EQ(v.bytes.size(), 4U);
  const std::string d =
      "{'descr': '" + std::string(500000, 'x') + "', 'fortran_order': False, 'shape': (), }";
  const auto dl = static_cast<std::uint32_t>(d.size());
  b = std::string("\x93NUMPY\x02\x00", 8);
  b.append(reinterpret_cast<const char*>(&dl), 4);
  b += d;
  EXPECT_THROW_WITH(parse_npy(b, "descr.npy"), DataError, "descr.npy", "unsupported dtype");
}

TEST(NpyHeader, MalformedHeadersAreDataErrors) {
  const auto npy = [](const std::string& h) {
    return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size()) + '\0' + h;
  };
  EXPECT_THROW_WITH(
      parse_npy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }"), "f.npy"),
      DataError, "f.npy", "C-order");
  EXPECT_THROW_WITH(parse_npy(npy("{'descr': '<f4', 'shape': (1,), }"), "o.npy"), DataError,
                    "no fortran_order");
  EXPECT_THROW_WITH(parse_npy(npy("{'descr': '<f4', 'fortran_order': False}"), "s.npy"), DataError,
                    "no shape");
  EXPECT_THROW_WITH(
      parse_npy(npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}"),
                "r.npy"),
      DataError, "repeated key 'descr'");
  EXPECT_THROW_WITH(
      parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) "), "t.npy"), DataError,
      "t.npy", "malformed");
  EXPECT_THROW_WITH(
      parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), "n.npy"),
      DataError, "bad dimension '-1'");
  // What NumPy writes, padding and all, still reads.
  const Value v =
      parse_npy(npy("{'descr': '<i2', 'fortran_order': False, 'shape': (2, 1), }    \n") +
                    std::string(4, '\1'),
                "ok.npy");
  EXPECT_EQ(v.shape, (Shape{2, 1}));
}

}  // namespace
}  // namespace convbench
