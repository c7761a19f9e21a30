// The report: its statistics against SciPy 1.17 (scipy.stats / scipy.special, values computed
// once and pasted here), the exports' round trip, the Markdown tables' shape, the HTML's
// sections, the comparability and findings logic on a store that fills every table.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "report/exports.hpp"
#include "report/paper_reference.hpp"
#include "report/report.hpp"
#include "report/stats.hpp"
#include "report/tables.hpp"
#include "report_fixture.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

using testing::TempDirTest;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ReportStats, StudentTCdfMatchesScipy) {
  // scipy.stats.t.cdf(t, df)
  EXPECT_NEAR(stats::student_t_cdf(2.0, 5), 0.9490302605850708, 1e-12);
  EXPECT_NEAR(stats::student_t_cdf(-1.5, 1), 0.18716704181099886, 1e-12);
  EXPECT_NEAR(stats::student_t_cdf(0.7, 2.5), 0.728297528405226, 1e-12);
  EXPECT_NEAR(stats::student_t_cdf(3, 30), 0.9973050179671741, 1e-12);
  EXPECT_NEAR(stats::student_t_cdf(-0.2, 200), 0.4208418958792167, 1e-12);
  EXPECT_DOUBLE_EQ(stats::student_t_cdf(0, 4), 0.5);
}

TEST(ReportStats, IncompleteBetaMatchesScipy) {
  // scipy.special.betainc(a, b, x)
  EXPECT_NEAR(stats::incomplete_beta(2, 3, 0.4), 0.5248, 1e-12);
  EXPECT_NEAR(stats::incomplete_beta(0.5, 0.5, 0.9), 0.7951672353008665, 1e-12);
  EXPECT_NEAR(stats::incomplete_beta(10, 1.5, 0.95), 0.7889426152729866, 1e-12);
  EXPECT_THROW(stats::incomplete_beta(1, 1, 1.5), std::domain_error);
}

TEST(ReportStats, TTestsMatchScipy) {
  const std::vector<double> a = {98.1, 97.9, 98.4, 98.0, 98.3}, b = {98.0, 97.7, 98.1, 98.1, 98.0};
  const auto paired = stats::paired_t(a, b);  // scipy.stats.ttest_rel
  ASSERT_TRUE(paired);
  EXPECT_NEAR(paired->t, 2.1380899352994223, 1e-9);
  EXPECT_NEAR(paired->p, 0.09930068321372384, 1e-9);
  EXPECT_DOUBLE_EQ(paired->df, 4);
  const std::vector<double> d = {0.5, 1.5, 0.9};
  const auto one = stats::one_sample_t(d);  // scipy.stats.ttest_1samp(d, 0)
  ASSERT_TRUE(one);
  EXPECT_NEAR(one->t, 3.3265281411231453, 1e-9);
  EXPECT_NEAR(one->p, 0.07971281683570355, 1e-9);
  const std::vector<double> x = {1.2, 3.4, 2.2, 5.1}, y = {2.0, 2.1, 2.3, 2.2, 2.05, 2.4};
  const auto welch = stats::welch_t(x, y);  // scipy.stats.ttest_ind(x, y, equal_var=False)
  ASSERT_TRUE(welch);
  EXPECT_NEAR(welch->t, 0.9508213357292358, 1e-9);
  EXPECT_NEAR(welch->p, 0.4111327240495817, 1e-9);
  // Degenerate cases: too few values; no spread.
  EXPECT_FALSE(stats::one_sample_t(std::vector<double>{1.0}));
  EXPECT_DOUBLE_EQ(stats::one_sample_t(std::vector<double>{0, 0, 0})->p, 1.0);
  EXPECT_DOUBLE_EQ(stats::one_sample_t(std::vector<double>{2, 2, 2})->p, 0.0);
}

TEST(ReportStats, BootstrapIsSeededAndHonestAboutSmallSamples) {
  const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const auto ci = stats::bootstrap_mean_ci(x);
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->lo, stats::bootstrap_mean_ci(x)->lo);  // same seed, same interval
  // The percentile interval of the mean of 1..10 (sd 3.03, se ~0.91): about 5.5 +- 1.8.
  EXPECT_GT(ci->lo, 3.5);
  EXPECT_LT(ci->lo, 4.2);
  EXPECT_GT(ci->hi, 6.8);
  EXPECT_LT(ci->hi, 7.5);
  EXPECT_FALSE(stats::bootstrap_mean_ci(std::vector<double>{1, 2}));  // not informative
  const auto flat = stats::bootstrap_mean_ci(std::vector<double>{4, 4, 4});
  ASSERT_TRUE(flat);
  EXPECT_DOUBLE_EQ(flat->lo, 4);
  EXPECT_DOUBLE_EQ(flat->hi, 4);
}

TEST(ReportExports, CsvParserHandlesQuotes) {
  const auto rows = parse_csv("a,\"b,c\",\"say \"\"hi\"\"\nnext\"\n1,,3\n");
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b,c", "say \"hi\"\nnext"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "", "3"}));
}

TEST(ReportComparability, QuickIsNotThePapersSetting) {
  const auto c = assess_comparability("quick",
                                      "replicates = 2\n[models.lenet5]\nepochs = 6\n"
                                      "val_subset = 2000\n[models.gru]\n",
                                      std::nullopt);
  EXPECT_TRUE(c.known);
  EXPECT_FALSE(c.applies);
  ASSERT_EQ(c.differences.size(), 2U);
  EXPECT_EQ(c.differences[0], "replicates = 2 (paper: 10)");
  EXPECT_NE(c.differences[1].find("LeNet-5: 6 epochs"), std::string::npos);
  EXPECT_NE(c.differences[1].find("val_subset = 2000"), std::string::npos);
  EXPECT_TRUE(
      assess_comparability("paper", "replicates = 10\n[models.lenet5]\n", std::nullopt).applies);
  EXPECT_FALSE(assess_comparability("x", std::nullopt, std::nullopt).known);
}

class ReportTest : public TempDirTest {};

// Rows of the Markdown tables: each table's rows have its header's column count.
void expect_markdown_tables_parse(const std::string& md) {
  std::istringstream in(md);
  std::string line;
  int tables = 0;
  std::optional<std::size_t> cols;
  const auto count = [](const std::string& l) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < l.size(); ++i)
      if (l[i] == '|' && (i == 0 || l[i - 1] != '\\')) ++n;
    return n;
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '|') {
      cols.reset();
      continue;
    }
    ASSERT_EQ(line.back(), '|') << line;
    if (!cols) {
      cols = count(line);
      ++tables;
      continue;
    }
    EXPECT_EQ(count(line), *cols) << line;
  }
  EXPECT_GE(tables, 12) << "findings + Tables I-VII + Fig3/4 + III+ + RQ3+ and differences";
}

TEST_F(ReportTest, WritesEveryTableWithPaperColumnStatisticsAndExports) {
  testing::write_report_store(dir_ / "results.sqlite");
  testing::write_report_paper_csv(dir_ / "paper.csv");
  ReportOptions o;
  o.store = dir_ / "results.sqlite";
  o.out_dir = dir_ / "out";
  o.paper_csv = dir_ / "paper.csv";
  o.figures = false;  // the integration test draws them (Python)
  write_report(o);

  // Exports round-trip to the cells the store aggregates to.
  ResultsStore store(o.store, StoreAccess::read_only);
  auto cells = aggregate_tables(store.results());
  for (auto& c : aggregate_attack_tables(store.attacks())) cells.push_back(std::move(c));
  for (const char* t : {"I", "II", "III", "IV", "V", "VI", "VII", "Fig3", "Fig4", "III+", "RQ3+"})
    EXPECT_TRUE(std::any_of(cells.begin(), cells.end(), [&](auto& c) { return c.table == t; }))
        << t;
  const auto same = [](const std::vector<TableCell>& a, const std::vector<TableCell>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(key_of(a[i]), key_of(b[i]));
      EXPECT_EQ(a[i].mean, b[i].mean) << i;
      EXPECT_EQ(a[i].std, b[i].std) << i;
      EXPECT_EQ(a[i].n, b[i].n);
      EXPECT_EQ(a[i].replicates, b[i].replicates);
      EXPECT_EQ(a[i].note, b[i].note);
      EXPECT_EQ(a[i].error, b[i].error);
    }
  };
  same(cells, cells_from_csv(slurp(o.out_dir / "tables.csv")));
  same(cells, cells_from_json(slurp(o.out_dir / "tables.json")));

  const std::string md = slurp(o.out_dir / "report.md");
  expect_markdown_tables_parse(md);
  EXPECT_NE(md.find("NOT the paper's setting: replicates = 3 (paper: 10)"), std::string::npos);
  EXPECT_NE(md.find("<br>paper: 99.85"), std::string::npos);  // Table I, LeNet-5 Keras
  EXPECT_NE(md.find("<br>paper: 0.2100 (0.0084)"), std::string::npos) << "load time with std";
  // Three paired replicates: a CI and a paired test; ONNX loads faster in every replicate.
  EXPECT_TRUE(std::regex_search(md, std::regex(R"(LeNet-5 Keras \| load s ONNX \(ORT\) \| )"
                                               R"(converted − original \(paired\) \| -0\.1\d+ )"
                                               R"(\(n = 3\) \| \[-0\.\d+, -0\.\d+\] \| t = )")))
      << md;
  EXPECT_NE(md.find("Figure missing: figures were not requested"), std::string::npos);
  // Findings: read from the paper file, verdicts from our data.
  EXPECT_NE(md.find("| Table I | ONNX conversion keeps test accuracy (within 0.1 pp) | max "
                    "\\|converted − original\\| = 0.00 pp over 2 rows | **supported** |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Core ML conversion keeps test accuracy (within 0.1 pp) | max \\|converted "
                    "− original\\| = 0.00 pp over 2 rows | **cannot test** | not runnable"),
            std::string::npos);
  EXPECT_NE(md.find("| Table VII | Core ML conversions are more vulnerable"), std::string::npos);

  const std::string html = slurp(o.out_dir / "report.html");
  for (const char* t : {"I", "II", "III", "IV", "V", "VI", "VII"})
    EXPECT_NE(html.find(std::string("id=\"table-") + t + "\""), std::string::npos) << t;
  for (const char* f : {"fig2", "fig3", "fig4"})
    EXPECT_NE(html.find(std::string("<figure id=\"") + f + "\""), std::string::npos) << f;
  EXPECT_EQ(html.find("http"), std::string::npos) << "the page must name no URL";
}

TEST_F(ReportTest, WithoutPaperSaysSo) {
  testing::write_report_store(dir_ / "results.sqlite");
  ReportOptions o;
  o.store = dir_ / "results.sqlite";
  o.out_dir = dir_ / "out";
  o.paper_missing = "no paper reference found at /nowhere";
  o.figures = false;
  write_report(o);
  const std::string md = slurp(o.out_dir / "report.md");
  EXPECT_NE(md.find("No paper column: no paper reference found at /nowhere"), std::string::npos);
  EXPECT_EQ(md.find("paper: 99.85"), std::string::npos);
  expect_markdown_tables_parse(md);
}

}  // namespace
}  // namespace convbench
