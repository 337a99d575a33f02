#include "common/tsv.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace mlprod {
namespace {

TEST(Tsv, ParsesHeaderAndRows) {
  auto t = ParseTsv("a\tb\n1\t2\r\n3\t4\n", "x.tsv");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->header, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[1][1], "4");
  EXPECT_EQ(t->Column("b"), 1);
  EXPECT_EQ(t->Column("c"), -1);
}

TEST(Tsv, RejectsRaggedRowNamingTheLine) {
  auto t = ParseTsv("a\tb\n1\t2\n3\n", "x.tsv");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("x.tsv:3"), std::string::npos);
}

TEST(Tsv, WriteThenReadRoundTrips) {
  const auto path = std::filesystem::temp_directory_path() / "mlprod_tsv_test.tsv";
  TsvTable t{{"x", "y"}, {{"1", "a"}, {"2", "b"}}};
  ASSERT_TRUE(WriteTsv(path, t).ok());
  auto back = ReadTsv(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->rows, t.rows);
  std::filesystem::remove(path);
}

TEST(Tsv, StrictNumbers) {
  EXPECT_DOUBLE_EQ(*ParseDouble("0.25"), 0.25);
  EXPECT_FALSE(ParseDouble("0.25x").ok());
  EXPECT_EQ(*ParseInt("-12"), -12);
  EXPECT_FALSE(ParseInt("1.5").ok());
}

}  // namespace
}  // namespace mlprod
