#pragma once
// Figs. 2-4, drawn by the zoo's Python (`python -m convbench_zoo figures`, matplotlib) from the
// report's exports, as SVG files. When Python or matplotlib is missing, or a figure has no data,
// the figure is reported missing with the reason: the report never draws a stand-in.
#include <filesystem>
#include <map>
#include <string>

namespace convbench {

struct FigureFile {
  std::filesystem::path svg;  // empty when missing
  std::string missing;        // why there is no figure
};

// ids "fig2", "fig3", "fig4". `tables_json` and `history_csv` are the report's exports.
std::map<std::string, FigureFile> draw_figures(const std::filesystem::path& repo_root,
                                               const std::filesystem::path& tables_json,
                                               const std::filesystem::path& history_csv,
                                               const std::filesystem::path& out_dir);

// The SVG file's markup as it can sit inside HTML: without the XML prolog, DOCTYPE, metadata
// and namespace declarations (HTML's parser supplies them), so the page names no URL.
std::string inline_svg(const std::string& svg_file_text);

}  // namespace convbench
