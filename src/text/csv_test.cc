#include "text/csv.h"

#include <gtest/gtest.h>

namespace renkei::text {
namespace {

std::vector<CsvRecord> Read(std::string_view text, const CsvLimits& limits = {}) {
  return ReadCsv(DecodeLines(text, Encoding::kUtf8).lines, limits);
}

TEST(CsvTest, ReadsQuotedFieldsWithCommasQuotesAndNewlines) {
  auto r = Read("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\n\n1,,3\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r[1].fields, (std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(r[1].first_line, 2);
  EXPECT_EQ(r[1].last_line, 3);
  EXPECT_EQ(r[2].first_line, 5) << "a blank line is no record";
  EXPECT_EQ(r[2].fields, (std::vector<std::string>{"1", "", "3"}));
  for (const auto& rec : r) EXPECT_EQ(rec.problem, CsvProblem::kNone) << rec.error;
}

TEST(CsvTest, FormulaLikeCellsStayText) {
  auto r = Read("=SUM(A1:A9),+81-3,-2,@cmd,\"=HYPERLINK(\"\"http://x\"\")\"\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (std::vector<std::string>{"=SUM(A1:A9)", "+81-3", "-2", "@cmd", "=HYPERLINK(\"http://x\")"}));
}

TEST(CsvTest, AnUnclosedQuoteNamesWhereItOpensAndTakesTheRestOfTheFile) {
  auto r = Read("a,b\n1,2\n3,\"open\n4,5\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].problem, CsvProblem::kNone);
  EXPECT_EQ(r[2].problem, CsvProblem::kSyntax);
  EXPECT_EQ(r[2].error, "line 3, column 3: the quoted field that opens here is not closed before the end of the file");
  EXPECT_EQ(r[2].first_line, 3);
  EXPECT_EQ(r[2].last_line, 4);
}

TEST(CsvTest, StrayQuotesAreErrorsOfTheirRowOnly) {
  auto r = Read("ab\"c,d\n\"x\"y,z\nok,1\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].problem, CsvProblem::kSyntax);
  EXPECT_EQ(r[0].error, "line 1, column 3: a quote inside an unquoted field (quote the whole field and write the quote twice)");
  EXPECT_EQ(r[1].problem, CsvProblem::kSyntax);
  EXPECT_NE(r[1].error.find("line 2, column 4: text after the closing quote"), std::string::npos) << r[1].error;
  EXPECT_EQ(r[2].problem, CsvProblem::kNone);
  EXPECT_EQ(r[2].fields, (std::vector<std::string>{"ok", "1"}));
}

TEST(CsvTest, ColumnsCountCharactersNotBytes) {
  auto r = Read("患者,\"x\"y\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0].error.find("line 1, column 7:"), std::string::npos) << r[0].error;
}

TEST(CsvTest, OversizedRowsAndTooManyFieldsAreRejectedAlone) {
  CsvLimits limits;
  limits.max_record_bytes = 16;
  limits.max_fields = 3;
  auto r = Read("a,b\n" + std::string(100, 'x') + "\n1,2,3,4\n\"" + std::string(50, 'y') + "\n,\"\nok,2\n", limits);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[1].problem, CsvProblem::kTooLarge);
  EXPECT_EQ(r[1].error, "line 2: the row is longer than 16 bytes");
  EXPECT_TRUE(r[1].fields.empty());
  EXPECT_EQ(r[2].problem, CsvProblem::kSyntax);
  EXPECT_EQ(r[2].error, "line 3: the row has more than 3 fields");
  EXPECT_EQ(r[3].problem, CsvProblem::kTooLarge) << "a long quoted field spanning lines still ends where its quote closes";
  EXPECT_EQ(r[3].last_line, 5);
  EXPECT_EQ(r[4].fields, (std::vector<std::string>{"ok", "2"}));
}

TEST(CsvTest, UndecodableLinesMakeTheirRecordAnEncodingProblem) {
  auto r = ReadCsv(DecodeLines("a,b\n\"x\xFF\",y\nc,d\n", Encoding::kUtf8).lines);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].problem, CsvProblem::kEncoding);
  EXPECT_EQ(r[1].error, "line 2: byte 2: invalid UTF-8: invalid byte 0xFF");
  EXPECT_EQ(r[1].fields.size(), 2u) << "the structure around the bad byte is kept";
  EXPECT_EQ(r[2].problem, CsvProblem::kNone);
}

TEST(CsvTest, TruncatedAndEmptyInput) {
  EXPECT_TRUE(Read("").empty());
  auto r = Read("a,b\n1,\"");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].problem, CsvProblem::kSyntax);
  auto last = Read("a,b\n1,2");
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[1].fields, (std::vector<std::string>{"1", "2"})) << "no final line ending is fine";
}

TEST(CsvTest, WrittenCellsReadBack) {
  const std::vector<std::string> cells = {"plain", "a,b", "say \"hi\"", "two\nlines", "", "山田,太郎"};
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) row += ',';
    AppendCsvCell(row, cells[i]);
  }
  EXPECT_TRUE(row.starts_with("plain,\"a,b\",\"say \"\"hi\"\"\",")) << row;
  auto r = Read(row + "\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, cells);
}

}  // namespace
}  // namespace renkei::text
