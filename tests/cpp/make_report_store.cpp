// Writes the report tests' results store and paper reference (tests/integration/report_test.sh):
// make_report_store <results.sqlite> <paper_tables.csv>
#include <cstdio>

#include "report_fixture.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_report_store <results.sqlite> <paper_tables.csv>\n");
    return 2;
  }
  convbench::testing::write_report_store(argv[1]);
  convbench::testing::write_report_paper_csv(argv[2]);
  return 0;
}
