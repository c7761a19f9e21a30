#pragma once
// The report as one self-contained HTML page (inline CSS, inline SVG figures, system fonts, no
// URL anywhere) and as Markdown (figures as files beside it).
#include <string>

#include "report/layout.hpp"

namespace convbench {

// `svgs` maps fig2/fig3/fig4 to the markup to inline (already through inline_svg).
std::string render_html(const ReportData& data, const std::map<std::string, std::string>& svgs);
// Figures are linked as `figures/<id>.svg` relative to the Markdown file.
std::string render_markdown(const ReportData& data);

std::string html_escape(std::string_view s);

}  // namespace convbench
