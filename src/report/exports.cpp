#include "report/exports.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace convbench {
namespace {

constexpr const char* kHeader =
    "table,model,framework,attack,quantity,variant,mean,std,n,replicates,note,error";

std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Shortest text that parses back to the same double.
std::string num(const std::optional<double>& v) {
  return v ? fmt::format("{}", *v) : std::string();
}

std::optional<double> parse_num(const std::string& s, std::size_t line) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    fail<DataError>("tables CSV line {}: '{}' is not a number", line, s);
  return v;
}

int parse_int(const std::string& s, std::size_t line) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    fail<DataError>("tables CSV line {}: '{}' is not an integer", line, s);
  return v;
}

}  // namespace

std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cur;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
      continue;
    }
    any = true;
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(cur));
      cur.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(cur));
      cur.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      cur += c;
    }
  }
  if (quoted) throw DataError("CSV: a quoted field is not closed");
  if (any) {
    row.push_back(std::move(cur));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string cells_to_csv(const std::vector<TableCell>& cells) {
  std::string csv = std::string(kHeader) + "\n";
  for (const auto& c : cells)
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", field(c.table),
                       field(display_model(c.model)), field(display_framework(c.framework)),
                       field(c.attack.empty() ? "" : display_attack(c.attack)), field(c.quantity),
                       field(c.variant), num(c.mean), num(c.std), c.n, c.replicates, field(c.note),
                       field(c.error));
  return csv;
}

std::vector<TableCell> cells_from_csv(std::string_view csv) {
  const auto rows = parse_csv(csv);
  if (rows.empty() || fmt::format("{}", fmt::join(rows[0], ",")) != kHeader)
    throw DataError(std::string("tables CSV: the header is not ") + kHeader);
  std::vector<TableCell> cells;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.size() != 12) fail<DataError>("tables CSV row {}: {} fields, not 12", i + 1, r.size());
    TableCell c;
    c.table = r[0];
    c.model = model_id(r[1]);
    c.framework = framework_id(r[2]);
    c.attack = r[3].empty() ? "" : attack_id(r[3]);
    c.quantity = r[4];
    c.variant = r[5];
    c.mean = parse_num(r[6], i + 1);
    c.std = parse_num(r[7], i + 1);
    c.n = parse_int(r[8], i + 1);
    c.replicates = parse_int(r[9], i + 1);
    c.note = r[10];
    c.error = r[11];
    cells.push_back(std::move(c));
  }
  return cells;
}

std::string cells_to_json(const std::vector<TableCell>& cells) {
  nlohmann::json arr = nlohmann::json::array();
  const auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  for (const auto& c : cells)
    arr.push_back({{"table", c.table},
                   {"model", c.model},
                   {"framework", c.framework},
                   {"attack", c.attack},
                   {"quantity", c.quantity},
                   {"variant", c.variant},
                   {"mean", opt(c.mean)},
                   {"std", opt(c.std)},
                   {"n", c.n},
                   {"replicates", c.replicates},
                   {"note", c.note},
                   {"error", c.error}});
  return nlohmann::json{{"schema", 1}, {"cells", arr}}.dump(1);
}

std::vector<TableCell> cells_from_json(std::string_view json) {
  try {
    const auto j = nlohmann::json::parse(json);
    std::vector<TableCell> cells;
    const auto opt = [](const nlohmann::json& v) {
      return v.is_null() ? std::nullopt : std::optional<double>(v.get<double>());
    };
    for (const auto& e : j.at("cells")) {
      TableCell c;
      c.table = e.at("table");
      c.model = e.at("model");
      c.framework = e.at("framework");
      c.attack = e.at("attack");
      c.quantity = e.at("quantity");
      c.variant = e.at("variant");
      c.mean = opt(e.at("mean"));
      c.std = opt(e.at("std"));
      c.n = e.at("n");
      c.replicates = e.at("replicates");
      c.note = e.at("note");
      c.error = e.at("error");
      cells.push_back(std::move(c));
    }
    return cells;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(std::string("tables JSON: ") + e.what());
  }
}

}  // namespace convbench
