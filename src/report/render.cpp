#include "report/render.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace convbench {
namespace {

constexpr const char* kCss = R"css(
:root { --ink:#1b1b1b; --muted:#5a5a5a; --line:#d0d0d0; --warn:#fff4d6; --warnline:#E69F00;
        --ok:#009E73; --bad:#D55E00; --na:#7a7a7a; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color:var(--ink);
       margin: 1.5rem auto; max-width: 1400px; padding: 0 1rem; line-height: 1.4; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid var(--line); }
.meta { color: var(--muted); font-size: .9rem; }
.banner { background: var(--warn); border-left: 6px solid var(--warnline); padding: .7rem 1rem;
          margin: 1rem 0; }
.banner.applies { background: #e6f4ef; border-color: var(--ok); }
table { border-collapse: collapse; margin: .6rem 0; font-size: .85rem; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; white-space: nowrap; }
td .paper { display: block; color: var(--muted); font-size: .78rem; }
td .n { color: var(--muted); font-size: .75rem; }
td.none { color: var(--na); font-style: italic; min-width: 7rem; }
.scroll { overflow-x: auto; }
.mark { font-size: .75rem; margin-left: .25rem; }
.mark.sig { color: var(--bad); font-weight: bold; } .mark.ns { color: var(--na); }
.note { color: var(--muted); font-size: .85rem; max-width: 1100px; }
details { margin: .4rem 0 1rem; } summary { cursor: pointer; color: var(--muted); }
.verdict { font-weight: bold; } .verdict.supported { color: var(--ok); }
.verdict.contradicted { color: var(--bad); } .verdict.cannot { color: var(--na); }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
.missing { border: 2px dashed var(--na); padding: 1rem; color: var(--muted); }
)css";

std::string h(std::string_view s) { return html_escape(s); }

std::string verdict_class(Verdict v) {
  return v == Verdict::supported      ? "supported"
         : v == Verdict::contradicted ? "contradicted"
                                      : "cannot";
}

std::string md_escape(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string comparability_text(const ReportData& d) {
  const auto& c = d.comparability;
  if (d.paper_source.empty()) return "No paper column: " + d.paper_missing + ".";
  if (c.applies)
    return fmt::format(
        "The study \"{}\" ran in the paper's setting (10 replicates, full data, "
        "the configured epochs): the paper column is a like-for-like comparison, "
        "except for timings (other hardware).",
        c.study);
  std::string s = c.known ? fmt::format("The study \"{}\" is NOT the paper's setting: ", c.study)
                          : "Whether this run is the paper's setting is unknown: ";
  for (std::size_t i = 0; i < c.differences.size(); ++i) s += (i ? "; " : "") + c.differences[i];
  return s +
         ". The paper column is shown beside ours for orientation only: accuracies and "
         "anything that depends on them are not expected to match.";
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  return out;
}

std::string render_html(const ReportData& d, const std::map<std::string, std::string>& svgs) {
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  o += fmt::format("<title>convbench report — {}</title>\n<style>{}</style></head><body>\n",
                   h(d.study), kCss);
  o += fmt::format("<h1>convbench study report: {}</h1>\n", h(d.study.empty() ? "?" : d.study));
  o +=
      fmt::format("<p class=\"meta\">Store {} · {} cell(s) done, {} failed · created {} · {}</p>\n",
                  h(d.store), d.cells_done, d.cells_failed, h(d.created), h(d.generated_by));
  o += fmt::format(
      "<div id=\"comparability\" class=\"banner{}\"><strong>Paper comparison.</strong> "
      "{}</div>\n",
      d.comparability.applies ? " applies" : "", h(comparability_text(d)));
  o += "<p class=\"note\">Each cell: our mean (sample std) over replicates, <span class=\"n\">n = "
       "replicates with a value / stored</span>, and below it the paper's value. Marks on a "
       "converted model's cell: <span class=\"mark sig\">*</span> its difference from the original "
       "is significant (two-sided t test, α = 0.05), <span class=\"mark ns\">n.s.</span> not "
       "significant, <span class=\"mark ns\">?</span> not testable (one replicate). Details under "
       "each table; methods in docs/report.md.</p>\n";

  // Findings
  o += "<section id=\"findings\"><h2>The paper's findings, checked by this run</h2>\n";
  if (d.findings.empty()) {
    o += "<p class=\"missing\">No findings: " + h(d.paper_missing) + ".</p>\n";
  } else {
    o += "<table><tr><th>source</th><th>claim (read from the paper's values)</th><th>paper</th>"
         "<th>verdict</th><th>this run</th></tr>\n";
    for (const auto& f : d.findings)
      o += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"verdict {}\">{}</td>"
          "<td>{}</td></tr>\n",
          h(f.source), h(f.claim), h(f.paper), verdict_class(f.verdict), h(to_string(f.verdict)),
          h(f.evidence));
    o += "</table>\n";
  }
  o += "</section>\n";

  // Tables
  for (const auto& t : d.tables) {
    o += fmt::format("<section class=\"table\" id=\"table-{}\" data-table=\"{}\"><h2>{}</h2>\n",
                     h(t.id), h(t.id), h(t.title));
    if (!t.note.empty()) o += "<p class=\"note\">" + h(t.note) + "</p>\n";
    if (t.ours_empty)
      o += "<p class=\"missing\">This store has no values of ours for this table; the paper's "
           "are shown.</p>\n";
    o += "<div class=\"scroll\"><table><tr><th>model</th><th>framework</th><th>n</th>";
    for (const auto& c : t.columns) o += "<th>" + h(c) + "</th>";
    o += "</tr>\n";
    for (const auto& r : t.rows) {
      o += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td>", h(r.model),
                       h(r.framework), r.replicates);
      for (const auto& c : r.cells) {
        std::string cell = h(c.ours);
        if (c.has_value && c.n > 0)
          cell += fmt::format(" <span class=\"n\">n={}/{}</span>", c.n, c.replicates);
        if (!c.mark.empty())
          cell += fmt::format("<span class=\"mark {}\">{}</span>", c.mark == "*" ? "sig" : "ns",
                              h(c.mark));
        if (t.in_paper)
          cell += "<span class=\"paper\">paper: " + h(c.paper.value_or("–")) + "</span>";
        o += fmt::format("<td class=\"{}\">{}</td>", c.has_value ? "num" : "none", cell);
      }
      o += "</tr>\n";
    }
    o += "</table></div>\n";
    if (!t.differences.empty()) {
      o += fmt::format(
          "<details><summary>Differences and their statistics ({})</summary>\n"
          "<table><tr><th>row</th><th>column</th><th>compared</th><th>mean "
          "difference</th><th>95% bootstrap CI</th><th>t test</th><th>verdict</th>"
          "</tr>\n",
          t.differences.size());
      for (const auto& s : t.differences)
        o += fmt::format(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td></tr>\n",
            h(s.row), h(s.column), h(s.kind), h(s.delta), h(s.ci), h(s.test), h(s.verdict));
      o += "</table></details>\n";
    }
    o += "</section>\n";
  }

  // Figures
  o += "<section id=\"figures\"><h2>Figures</h2>\n";
  for (const char* id : {"fig2", "fig3", "fig4"}) {
    o += fmt::format(
        "<figure id=\"{}\" data-figure=\"{}\"><figcaption><strong>{}</strong>"
        "</figcaption>\n",
        id, id + 3, h(figure_title(id)));
    const auto it = svgs.find(id);
    if (it != svgs.end()) {
      o += it->second;
    } else {
      const auto f = d.figures.find(id);
      o += "<div class=\"missing\">Figure missing: " +
           h(f != d.figures.end() ? f->second.missing : "not drawn") + "</div>";
    }
    o += "</figure>\n";
  }
  o += "</section>\n";

  if (!d.failures.empty()) {
    o += "<section id=\"failures\"><h2>Failures and their causes</h2><ul>\n";
    for (const auto& f : d.failures) o += "<li><code>" + h(f) + "</code></li>\n";
    o += "</ul></section>\n";
  }
  o += "</body></html>\n";
  return o;
}

std::string render_markdown(const ReportData& d) {
  std::string o = fmt::format("# convbench study report: {}\n\n", d.study.empty() ? "?" : d.study);
  o += fmt::format("Store `{}` · {} cell(s) done, {} failed · created {} · {}\n\n", d.store,
                   d.cells_done, d.cells_failed, d.created, d.generated_by);
  o += "> **Paper comparison.** " + md_escape(comparability_text(d)) + "\n\n";
  o += "Each cell: our mean (sample std) over replicates, `n=k/m` replicates with a value, and "
       "the paper's value after `paper:`. Marks on a converted model's cell: `*` its difference "
       "from the original is significant (two-sided t test, α = 0.05), `n.s.` not significant, "
       "`?` not testable (one replicate). Methods: docs/report.md.\n\n";
  o += "## The paper's findings, checked by this run\n\n";
  if (d.findings.empty()) {
    o += "No findings: " + d.paper_missing + ".\n\n";
  } else {
    o += "| source | claim (read from the paper's values) | paper | verdict | this run |\n"
         "|---|---|---|---|---|\n";
    for (const auto& f : d.findings)
      o += fmt::format("| {} | {} | {} | **{}** | {} |\n", md_escape(f.source), md_escape(f.claim),
                       md_escape(f.paper), to_string(f.verdict), md_escape(f.evidence));
    o += "\n";
  }
  for (const auto& t : d.tables) {
    o += "## " + md_escape(t.title) + "\n\n";
    if (!t.note.empty()) o += "_" + md_escape(t.note) + "_\n\n";
    if (t.ours_empty)
      o += "This store has no values of ours for this table; the paper's are shown.\n\n";
    o += "| model | framework | n |";
    for (const auto& c : t.columns) o += " " + md_escape(c) + " |";
    o += "\n|---|---|---|";
    for (std::size_t i = 0; i < t.columns.size(); ++i) o += "---|";
    o += "\n";
    for (const auto& r : t.rows) {
      o += fmt::format("| {} | {} | {} |", r.model, r.framework, r.replicates);
      for (const auto& c : r.cells) {
        std::string cell = md_escape(c.ours);
        if (c.has_value && c.n > 0) cell += fmt::format(" n={}/{}", c.n, c.replicates);
        if (!c.mark.empty()) cell += " " + c.mark;
        if (t.in_paper) cell += "<br>paper: " + md_escape(c.paper.value_or("–"));
        o += " " + cell + " |";
      }
      o += "\n";
    }
    o += "\n";
    if (!t.differences.empty()) {
      o += "Differences:\n\n| row | column | compared | mean difference | 95% bootstrap CI | t "
           "test | verdict |\n|---|---|---|---|---|---|---|\n";
      for (const auto& s : t.differences)
        o += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", md_escape(s.row),
                         md_escape(s.column), s.kind, s.delta, md_escape(s.ci), s.test, s.verdict);
      o += "\n";
    }
  }
  o += "## Figures\n\n";
  for (const char* id : {"fig2", "fig3", "fig4"}) {
    o += "### " + figure_title(id) + "\n\n";
    const auto f = d.figures.find(id);
    if (f != d.figures.end() && !f->second.svg.empty())
      o +=
          fmt::format("![{}](figures/{})\n\n", figure_title(id), f->second.svg.filename().string());
    else
      o += "Figure missing: " + md_escape(f != d.figures.end() ? f->second.missing : "not drawn") +
           "\n\n";
  }
  if (!d.failures.empty()) {
    o += "## Failures and their causes\n\n";
    for (const auto& f : d.failures) o += "- `" + md_escape(f) + "`\n";
  }
  return o;
}

}  // namespace convbench
