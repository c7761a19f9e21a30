#pragma once
// Strict reading of a TOML file: typed getters that refuse a value of the wrong type or out of
// range (never a silent default), and a final check that every key at every depth was read, so a
// typo ("replcates") is an error instead of an ignored line. Errors are UsageErrors naming the
// file and the dotted key.
#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace convbench {

class TomlFields {
 public:
  // Parses `file` (UsageError with line and column on a syntax error).
  static std::pair<toml::table, std::string> parse(const std::filesystem::path& file);

  // The root table of a parsed file.
  TomlFields(const toml::table& root, std::string file);

  // An integer (a float, string or bool is an error) in [lo, hi]; nullopt when absent.
  std::optional<std::int64_t> integer(std::string_view key,
                                      std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                                      std::int64_t hi = std::numeric_limits<std::int64_t>::max());
  // A finite number (integer or float) in [lo, hi]; nullopt when absent.
  std::optional<double> number(std::string_view key,
                               double lo = -std::numeric_limits<double>::max(),
                               double hi = std::numeric_limits<double>::max());
  std::optional<std::string> string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::vector<std::string>> strings(std::string_view key);
  // A sub-table; nullopt when absent, an error when `key` holds something else.
  std::optional<TomlFields> table(std::string_view key);
  // Every key of this table (for tables keyed by a name, e.g. [models.<name>]); marks them read.
  std::vector<std::string> keys();

  bool has(std::string_view key) const { return table_->contains(key); }
  // "models.lenet5.epochs" for a key of this table.
  std::string path(std::string_view key) const;
  const std::string& file() const { return *file_; }

  // UsageError for the first key anywhere under this table that no getter asked for.
  void reject_unknown() const;

 private:
  TomlFields(const toml::table& t, std::shared_ptr<const std::string> file, std::string prefix,
             std::shared_ptr<std::set<std::string>> read);
  const toml::node* node(std::string_view key);
  [[noreturn]] void wrong(std::string_view key, std::string_view want) const;
  void check_unknown(const toml::table& t, const std::string& prefix) const;

  const toml::table* table_;
  std::shared_ptr<const std::string> file_;
  std::string prefix_;
  std::shared_ptr<std::set<std::string>> read_;  // dotted paths asked for, shared by sub-tables
};

}  // namespace convbench
