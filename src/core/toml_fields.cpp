#include "core/toml_fields.hpp"

#include <cmath>
#include <sstream>

#include "core/error.hpp"

namespace convbench {
namespace fs = std::filesystem;

std::pair<toml::table, std::string> TomlFields::parse(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) fail<UsageError>("{}: no such file", file.string());
  if (fs::is_directory(file, ec))
    fail<UsageError>("{}: is a directory, not a TOML file", file.string());
  try {
    return {toml::parse_file(file.string()), file.string()};
  } catch (const toml::parse_error& e) {
    fail<UsageError>("{}:{}:{}: {}", file.string(), e.source().begin.line, e.source().begin.column,
                     e.description());
  }
}

TomlFields::TomlFields(const toml::table& root, std::string file)
    : TomlFields(root, std::make_shared<const std::string>(std::move(file)), "",
                 std::make_shared<std::set<std::string>>()) {}

TomlFields::TomlFields(const toml::table& t, std::shared_ptr<const std::string> file,
                       std::string prefix, std::shared_ptr<std::set<std::string>> read)
    : table_(&t), file_(std::move(file)), prefix_(std::move(prefix)), read_(std::move(read)) {}

std::string TomlFields::path(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

const toml::node* TomlFields::node(std::string_view key) {
  read_->insert(path(key));
  return table_->get(key);
}

void TomlFields::wrong(std::string_view key, std::string_view want) const {
  const toml::node* n = table_->get(key);
  std::string got = "a value";
  if (n != nullptr) {
    std::ostringstream s;
    n->visit([&](const auto& v) { s << v; });
    got = s.str();
    if (n->is_string()) got = "the string " + got;
  }
  fail<UsageError>("{}: '{}' must be {}, not {}", *file_, path(key), want, got);
}

std::optional<std::int64_t> TomlFields::integer(std::string_view key, std::int64_t lo,
                                                std::int64_t hi) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  const auto* v = n->as_integer();
  if (v == nullptr) wrong(key, "an integer");
  if (v->get() < lo || v->get() > hi) {
    if (hi == std::numeric_limits<std::int64_t>::max())
      fail<UsageError>("{}: '{}' must be >= {}, not {}", *file_, path(key), lo, v->get());
    fail<UsageError>("{}: '{}' must be in [{}, {}], not {}", *file_, path(key), lo, hi, v->get());
  }
  return v->get();
}

std::optional<double> TomlFields::number(std::string_view key, double lo, double hi) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  double v = 0;
  if (const auto* i = n->as_integer())
    v = static_cast<double>(i->get());
  else if (const auto* f = n->as_floating_point())
    v = f->get();
  else
    wrong(key, "a number");
  if (!std::isfinite(v)) wrong(key, "a finite number");
  if (v < lo || v > hi) {
    if (hi == std::numeric_limits<double>::max())
      fail<UsageError>("{}: '{}' must be >= {}, not {}", *file_, path(key), lo, v);
    fail<UsageError>("{}: '{}' must be in [{}, {}], not {}", *file_, path(key), lo, hi, v);
  }
  return v;
}

std::optional<std::string> TomlFields::string(std::string_view key) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  const auto* s = n->as_string();
  if (s == nullptr) wrong(key, "a string");
  return s->get();
}

std::optional<bool> TomlFields::boolean(std::string_view key) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  const auto* b = n->as_boolean();
  if (b == nullptr) wrong(key, "true or false");
  return b->get();
}

std::optional<std::vector<std::string>> TomlFields::strings(std::string_view key) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  const auto* a = n->as_array();
  if (a == nullptr) wrong(key, "an array of strings");
  std::vector<std::string> out;
  for (const auto& v : *a) {
    const auto* s = v.as_string();
    if (s == nullptr) wrong(key, "an array of strings");
    out.push_back(s->get());
  }
  return out;
}

std::optional<TomlFields> TomlFields::table(std::string_view key) {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  const auto* t = n->as_table();
  if (t == nullptr) wrong(key, "a table");
  return TomlFields(*t, file_, path(key), read_);
}

std::vector<std::string> TomlFields::keys() {
  std::vector<std::string> out;
  for (const auto& [k, v] : *table_) {
    out.emplace_back(k.str());
    read_->insert(path(k.str()));
  }
  return out;
}

void TomlFields::check_unknown(const toml::table& t, const std::string& prefix) const {
  for (const auto& [k, v] : t) {
    const std::string p =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (!read_->contains(p)) fail<UsageError>("{}: unknown key '{}'", *file_, p);
    // A table read whole (keys()) may still hold unread keys deeper down.
    if (const auto* sub = v.as_table()) check_unknown(*sub, p);
  }
}

void TomlFields::reject_unknown() const { check_unknown(*table_, prefix_); }

}  // namespace convbench
