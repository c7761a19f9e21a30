#pragma once
// The report's machine-readable exports of every table cell: CSV (RFC 4180 quoting, the column
// order of shared/reference/paper_tables.csv with display names, then ours) and JSON (ids as
// stored). Both read back into the same cells: the report's tests check the round trip.
#include <string>
#include <string_view>
#include <vector>

#include "report/tables.hpp"

namespace convbench {

std::string cells_to_csv(const std::vector<TableCell>& cells);
std::vector<TableCell> cells_from_csv(std::string_view csv);  // throws DataError

std::string cells_to_json(const std::vector<TableCell>& cells);
std::vector<TableCell> cells_from_json(std::string_view json);  // throws DataError

// RFC 4180 parsing: rows of fields; quoted fields may hold commas, quotes ("") and newlines.
std::vector<std::vector<std::string>> parse_csv(std::string_view text);

}  // namespace convbench
