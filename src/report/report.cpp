#include "report/report.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "report/differences.hpp"
#include "report/exports.hpp"
#include "report/figures.hpp"
#include "report/layout.hpp"
#include "report/render.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

std::string read_svg(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> failure_lines(const std::vector<TableCell>& cells) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& c : cells) {
    if (c.error.empty()) continue;
    const std::string where =
        fmt::format("{} / {} / {}{}", display_model(c.model), display_framework(c.framework),
                    variant_label(c.quantity, c.variant),
                    c.attack.empty() ? "" : " / " + display_attack(c.attack));
    if (!seen.insert(where).second) continue;
    std::string err = c.error;
    if (err.size() > 400) err = err.substr(0, 400) + " ...";
    out.push_back(fmt::format("{} ({}): {}", where, c.note, err));
  }
  return out;
}

}  // namespace

std::optional<fs::path> default_paper_csv(const fs::path& repo_root) {
  const fs::path p = repo_root / ".." / "shared" / "reference" / "paper_tables.csv";
  if (fs::exists(p)) return fs::weakly_canonical(p);
  return std::nullopt;
}

std::vector<fs::path> write_report(const ReportOptions& o) {
  if (!fs::exists(o.store)) fail<UsageError>("{}: no such results store", o.store.string());
  ResultsStore store(o.store, StoreAccess::read_only);
  const auto results = store.results();
  const auto attacks = store.attacks();
  auto cells = aggregate_tables(results);
  for (auto& c : aggregate_attack_tables(attacks)) cells.push_back(std::move(c));
  const auto diffs = compute_differences(results, attacks);

  ReportData d;
  d.study = store.meta("study").value_or("");
  d.store = o.store.string();
  if (const auto created = store.meta("created")) {
    std::time_t t = 0;
    const auto [end, ec] = std::from_chars(created->data(), created->data() + created->size(), t);
    if (ec != std::errc() || end != created->data() + created->size())
      fail<DataError>("{}: meta 'created' is '{}', not a time in seconds", o.store.string(),
                      *created);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
    d.created = buf;
  }
  d.generated_by = "convbench report";
  for (const auto& c : store.cells())
    (c.status == CellStatus::done ? d.cells_done : d.cells_failed)++;
  d.comparability = assess_comparability(store.meta("study"), store.meta("config"),
                                         o.repo_root / "config" / "models.toml");
  PaperReference paper;
  if (o.paper_csv) {
    paper = PaperReference(*o.paper_csv);
    d.paper_source = o.paper_csv->string();
  } else {
    d.paper_missing = o.paper_missing;
  }
  d.tables = layout_tables(cells, paper, diffs);
  d.findings = assess_findings(paper, cells, diffs);
  d.failures = failure_lines(cells);

  fs::create_directories(o.out_dir);
  std::vector<fs::path> written;
  const auto put = [&](const fs::path& p, const std::string& text) {
    write_text(p, text);
    written.push_back(p);
  };
  put(o.out_dir / "tables.csv", cells_to_csv(cells));
  put(o.out_dir / "tables.json", cells_to_json(cells));
  put(o.out_dir / "history.csv", history_csv(store.history()));

  std::map<std::string, std::string> svgs;
  if (o.figures) {
    d.figures = draw_figures(o.repo_root, o.out_dir / "tables.json", o.out_dir / "history.csv",
                             o.out_dir / "figures");
    for (auto& [id, f] : d.figures) {
      if (f.svg.empty()) continue;
      try {
        svgs[id] = inline_svg(read_svg(f.svg));
        written.push_back(f.svg);
      } catch (const DataError& e) {
        f = {{}, f.svg.string() + ": " + e.what()};
      }
    }
  } else {
    for (const char* id : {"fig2", "fig3", "fig4"})
      d.figures[id] = {{}, "figures were not requested (--no-figures)"};
  }
  put(o.out_dir / "report.md", render_markdown(d));
  put(o.out_dir / "report.html", render_html(d, svgs));
  return written;
}

}  // namespace convbench
