// Tokenizer, vocabulary and fixed-length encoding.
#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/tokenizer.hpp"
#include "data/vocabulary.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

using Tokens = std::vector<std::string>;
using Ids = std::vector<std::int64_t>;

TEST(Tokenizer, BreakTagsBecomeSpaces) {
  EXPECT_EQ(tokenize("Great<br /><br />movie"), (Tokens{"great", "movie"}));
  EXPECT_EQ(tokenize("one<BR/>two<br>three<Br  />four"), (Tokens{"one", "two", "three", "four"}));
  // Not a break tag: the letters are words like any others.
  EXPECT_EQ(tokenize("<bravo> <b>"), (Tokens{"bravo", "b"}));
}

TEST(Tokenizer, PunctuationSeparatesAndDigitsAreWords) {
  EXPECT_EQ(tokenize("Hello, world! (2010)... 7/10 -- ok?"),
            (Tokens{"hello", "world", "2010", "7", "10", "ok"}));
  EXPECT_EQ(tokenize("\"well-made\"\tfilm\n"), (Tokens{"well", "made", "film"}));
  EXPECT_TRUE(tokenize("").empty());
  EXPECT_TRUE(tokenize(" .,;!? -- ''").empty());
}

TEST(Tokenizer, ApostrophesOnlyInsideWords) {
  EXPECT_EQ(tokenize("Don't 'quote' the actors' rock'n'roll it's"),
            (Tokens{"don't", "quote", "the", "actors", "rock'n'roll", "it's"}));
  EXPECT_EQ(tokenize("a''b 'x"), (Tokens{"a", "b", "x"}));
}

TEST(Tokenizer, LowercasesAsciiOnly) {
  EXPECT_EQ(tokenize("ABC dEf XyZ"), (Tokens{"abc", "def", "xyz"}));
  // Non-ASCII letters keep their case (bytes >= 0x80 are not touched).
  EXPECT_EQ(tokenize("\xc3\x89T\xc3\x89"), (Tokens{"\xc3\x89t\xc3\x89"}));
}

TEST(Tokenizer, Utf8BytesStayInsideWords) {
  EXPECT_EQ(tokenize("Caf\xc3\xa9 na\xc3\xafve \xe2\x80\x94 fin"),
            (Tokens{"caf\xc3\xa9", "na\xc3\xafve", "\xe2\x80\x94", "fin"}));
  // Invalid UTF-8 and control bytes do not crash; high bytes are word bytes, controls separate.
  EXPECT_EQ(tokenize(std::string("a\xff\xfe"
                                 "b\x10"
                                 "c\x08"
                                 "d",
                                 8)),
            (Tokens{"a\xff\xfe"
                    "b",
                    "c", "d"}));
  EXPECT_EQ(tokenize(std::string("x\0y", 3)), (Tokens{"x", "y"}));
}

TEST(Vocabulary, TopNByFrequencyTiesAlphabeticalReservedIds) {
  // Counts: a 3, c 2, b 2, d 1, e 1.
  const std::vector<std::string> texts = {"c B a a", "b c A", "e d"};
  const Vocabulary v = Vocabulary::build(texts, 4);
  EXPECT_EQ(v.tokens(), (Tokens{"<pad>", "<unk>", "a", "b", "c", "d"}));
  EXPECT_EQ(v.size(), 6U);
  EXPECT_EQ(v.id("a"), 2);
  EXPECT_EQ(v.id("c"), 4);
  EXPECT_EQ(v.id("d"), 5);
  EXPECT_EQ(v.id("e"), Vocabulary::kUnk);  // cut by the tie rule: d < e
  EXPECT_EQ(v.id("<pad>"), Vocabulary::kPad);
  // Fewer distinct words than N: all of them.
  EXPECT_EQ(Vocabulary::build(texts, 100).size(), 7U);
  EXPECT_EQ(Vocabulary::build({}, 10).tokens(), (Tokens{"<pad>", "<unk>"}));
}

class VocabularyFile : public testing::TempDirTest {
 protected:
  void put(std::string_view text) { write_file(dir_ / "vocab.txt", text.data(), text.size()); }
};

TEST_F(VocabularyFile, SaveLoadRoundTrip) {
  const std::vector<std::string> texts = {"the film the end", "don't caf\xc3\xa9"};
  const Vocabulary v = Vocabulary::build(texts, 10);
  v.save(dir_ / "vocab.txt");
  const Bytes raw = read_file(dir_ / "vocab.txt");
  EXPECT_EQ(std::string(raw.begin(), raw.end()),
            "<pad>\n<unk>\nthe\ncaf\xc3\xa9\ndon't\nend\nfilm\n");
  const Vocabulary back = Vocabulary::load(dir_ / "vocab.txt");
  EXPECT_EQ(back.tokens(), v.tokens());
  EXPECT_EQ(back.id("don't"), 4);
  // A last line without its newline is accepted.
  put("<pad>\n<unk>\nx");
  EXPECT_EQ(Vocabulary::load(dir_ / "vocab.txt").id("x"), 2);
}

TEST_F(VocabularyFile, MalformedFilesRejected) {
  const auto f = dir_ / "vocab.txt";
  put("the\nand\n");
  EXPECT_THROW_WITH(Vocabulary::load(f), DataError, "vocab.txt", "<pad>", "<unk>");
  put("<pad>\n<unk>\nthe\n\nand\n");
  EXPECT_THROW_WITH(Vocabulary::load(f), DataError, "vocab.txt", "line 4 is empty");
  put("<pad>\n<unk>\nthe\nand\nthe\n");
  EXPECT_THROW_WITH(Vocabulary::load(f), DataError, "line 5 repeats 'the' from line 3");
  put("<pad>\r\n<unk>\r\n");
  EXPECT_THROW_WITH(Vocabulary::load(f), DataError, "line 1", "whitespace");
  put("");
  EXPECT_THROW_WITH(Vocabulary::load(f), DataError, "vocab.txt");
  EXPECT_THROW_WITH(Vocabulary::load(dir_ / "missing.txt"), DataError, "missing.txt");
}

TEST(Encoding, PrePaddingPreTruncationAndUnknownWords) {
  const std::vector<std::string> texts = {"a a a b b c"};
  const Vocabulary v = Vocabulary::build(texts, 3);  // a=2, b=3, c=4
  EXPECT_EQ(v.encode("A b", 5), (Ids{0, 0, 0, 2, 3}));
  EXPECT_EQ(v.encode("", 3), (Ids{0, 0, 0}));
  EXPECT_EQ(v.encode("c b a", 3), (Ids{4, 3, 2}));
  // Longer than 5: the last 5 tokens are kept; "zz" is unknown.
  Vocabulary::EncodeStats st;
  EXPECT_EQ(v.encode("c a b<br />a c zz b", 5, &st), (Ids{3, 2, 4, 1, 3}));
  EXPECT_EQ(st.tokens, 7U);
  EXPECT_EQ(st.unknown, 1U);
  // Unknown words dropped by truncation still count: stats see the whole text.
  v.encode("zz zz a", 1, &st);
  EXPECT_EQ(st.tokens, 10U);
  EXPECT_EQ(st.unknown, 3U);
}

}  // namespace
}  // namespace convbench
