#include "report/figures.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "core/error.hpp"
#include "core/subprocess.hpp"
#include "core/zoo_python.hpp"

namespace convbench {
namespace fs = std::filesystem;

namespace {
const char* const kFigures[] = {"fig2", "fig3", "fig4"};

std::map<std::string, FigureFile> all_missing(const std::string& why) {
  std::map<std::string, FigureFile> out;
  for (const char* f : kFigures) out[f] = {{}, why};
  return out;
}
}  // namespace

std::map<std::string, FigureFile> draw_figures(const fs::path& root, const fs::path& tables_json,
                                               const fs::path& history_csv,
                                               const fs::path& out_dir) {
  const auto py = find_zoo_python(root);
  if (!py)
    return all_missing((root / ".venv" / "bin" / "python").string() +
                       " is missing (run scripts/setup.sh, or set CONVBENCH_PYTHON): no figures "
                       "drawn");
  fs::create_directories(out_dir);
  const fs::path log = out_dir / "figures.log";
  fs::remove(out_dir / "figures.json");
  const auto r = run_zoo(*py,
                         {"figures", "--tables", tables_json.string(), "--history",
                          history_csv.string(), "--out", out_dir.string()},
                         log, {{"MPLCONFIGDIR", (out_dir / ".matplotlib").string()}});  // not $HOME
  fs::remove_all(out_dir / ".matplotlib");
  std::ifstream in(out_dir / "figures.json");
  if (!r.status.ok() || !in)
    return all_missing(fmt::format("the figure script {} ({}): {}", r.status.describe(),
                                   log.string(), file_tail(log, 400)));
  std::map<std::string, FigureFile> out;
  try {
    const auto j = nlohmann::json::parse(in);
    for (const char* f : kFigures) {
      const auto& e = j.at(f);
      if (e.contains("file"))
        out[f] = {out_dir / e.at("file").get<std::string>(), ""};
      else
        out[f] = {{}, e.at("missing").get<std::string>()};
    }
  } catch (const nlohmann::json::exception& e) {
    return all_missing(std::string("the figure script wrote an unreadable figures.json: ") +
                       e.what());
  }
  return out;
}

std::string inline_svg(const std::string& text) {
  const auto start = text.find("<svg");
  if (start == std::string::npos) throw DataError("not an SVG file: no <svg> element");
  std::string svg = text.substr(start);
  if (const auto m = svg.find("<metadata"); m != std::string::npos)
    if (const auto e = svg.find("</metadata>", m); e != std::string::npos)
      svg.erase(m, e + std::string_view("</metadata>").size() - m);
  // Namespace declarations sit on the root element only: edit just that tag (std::regex on the
  // whole file would recurse deeply).
  const auto tag_end = svg.find('>');
  const std::string root_tag =
      std::regex_replace(svg.substr(0, tag_end), std::regex(R"re(\s+xmlns(:\w+)?="[^"]*")re"), "");
  return root_tag + svg.substr(tag_end);
}

}  // namespace convbench
