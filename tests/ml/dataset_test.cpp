// Reading the labelled TSV, building datasets from store rows, and the head/tail split.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "ml/dataset.h"
#include "ml/features.h"

namespace mlprod::ml {
namespace {

std::string Header(bool with_label = true) {
  std::string h;
  for (auto name : FeatureNames()) h += std::string(name) + "\t";
  return with_label ? h + "label\n" : h.substr(0, h.size() - 1) + "\n";
}

std::string Row(double first, const std::string& label) {
  std::string r = std::to_string(first);
  for (int f = 1; f < kNumFeatures; ++f) r += "\t" + std::to_string(f);
  return r + "\t" + label + "\n";
}

TEST(FeatureNames, ListsUserThenLocationFeaturesInSpecOrder) {
  const auto& names = FeatureNames();
  EXPECT_EQ(names.front(), "people_num");
  EXPECT_EQ(names[kNumUserFeatures - 1], "age_std");
  EXPECT_EQ(names[kNumUserFeatures], "children");
  EXPECT_EQ(names.back(), "user_score");
}

TEST(ParseLabelledTsv, ReadsFeaturesAndLabels) {
  const auto data = ParseLabelledTsv(Header() + Row(3, "1") + Row(4.5, "0"), "t.tsv");
  ASSERT_TRUE(data.ok()) << data.error().message;
  ASSERT_EQ(data->rows(), 2);
  EXPECT_EQ(data->x(1, 0), 4.5);
  EXPECT_EQ(data->x(0, 29), 29.0);
  EXPECT_EQ(data->y, (std::vector<std::int8_t>{1, 0}));
  EXPECT_EQ(data->positives(), 1);
}

TEST(ParseLabelledTsv, FindsColumnsByNameAndIgnoresExtras) {
  // label first, an extra column, features reversed.
  std::string header = "label\tname";
  for (int f = kNumFeatures - 1; f >= 0; --f) header += "\t" + std::string(FeatureNames()[f]);
  std::string row = "1\tAnna";
  for (int f = kNumFeatures - 1; f >= 0; --f) row += "\t" + std::to_string(f * 10);
  const auto data = ParseLabelledTsv(header + "\n" + row + "\n", "t.tsv");
  ASSERT_TRUE(data.ok()) << data.error().message;
  EXPECT_EQ(data->x(0, 2), 20.0);
  EXPECT_EQ(data->y[0], 1);
}

TEST(ParseLabelledTsv, NamesTheMissingColumn) {
  std::string row = "1";
  for (int f = 1; f < kNumFeatures; ++f) row += "\t1";
  const auto data = ParseLabelledTsv(Header(false) + row + "\n", "t.tsv");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(data.error().message.find("'label'"), std::string::npos) << data.error().message;
}

TEST(ParseLabelledTsv, RejectsBadCellsWithRowAndColumn) {
  auto bad_label = ParseLabelledTsv(Header() + Row(1, "0") + Row(1, "2"), "t.tsv");
  ASSERT_FALSE(bad_label.ok());
  EXPECT_NE(bad_label.error().message.find("data row 2, column 'label'"), std::string::npos)
      << bad_label.error().message;
  std::string text = Header() + Row(1, "0");
  text.replace(text.find("\t2\t"), 3, "\tx\t");
  auto bad_number = ParseLabelledTsv(text, "t.tsv");
  ASSERT_FALSE(bad_number.ok());
  EXPECT_NE(bad_number.error().message.find("column 'budget'"), std::string::npos)
      << bad_number.error().message;
  EXPECT_FALSE(ParseLabelledTsv(Header(), "t.tsv").ok());  // no rows
  EXPECT_FALSE(ParseLabelledTsv("", "t.tsv").ok());
}

// The reference's columns (pandas' order): the user request with people_age, the location,
// the label as a float; booleans as pandas writes them.
std::string ReferenceHeader(std::string_view drop = "") {
  std::string h;
  for (const char* name : {"name",           "people_num",     "people_age",
                           "children_num",   "budget",         "nights",
                           "time_arrival",   "pool",           "spa",
                           "pet_friendly",   "lake",           "mountain",
                           "sport",          "children",       "breakfast",
                           "lunch",          "dinner",         "price",
                           "has_pool",       "has_spa",        "animals",
                           "near_lake",      "near_mountains", "has_sport",
                           "family_rating",  "outdoor_rating", "food_rating",
                           "leisure_rating", "service_rating", "user_score",
                           "label"}) {
    if (name != drop) h += std::string(h.empty() ? "" : "\t") + name;
  }
  return h + "\n";
}

std::string ReferenceRow(const std::string& ages, const std::string& label) {
  return "family\t4\t" + ages +
         "\t2\t1250.75\t7\t2026-01-17\tTrue\tFalse\tfalse\tTRUE\tFalse\tTrue\tTrue\tTrue"
         "\tFalse\tTrue\t225.5\tTrue\tFalse\tFalse\tFalse\tFalse\tTrue\t3.5\t2.9\t2.8\t2.2"
         "\t4.1\t4.7\t" +
         label + "\n";
}

double Feature(const Dataset& data, std::int64_t row, std::string_view name) {
  const auto& names = FeatureNames();
  const auto f = std::find(names.begin(), names.end(), name) - names.begin();
  return data.x(row, static_cast<Eigen::Index>(f));
}

TEST(ParseLabelledTsv, ReadsTheReferencesFormatDerivingAgesFromPeopleAge) {
  const auto data = ParseLabelledTsv(
      ReferenceHeader() + ReferenceRow("[41, 38, 9, 6]", "1.0") + ReferenceRow("[30]", "0.0"),
      "ref.tsv");
  ASSERT_TRUE(data.ok()) << data.error().message;
  ASSERT_EQ(data->rows(), 2);
  EXPECT_EQ(data->y, (std::vector<std::int8_t>{1, 0}));
  EXPECT_EQ(Feature(*data, 0, "age_min"), 6.0);
  EXPECT_EQ(Feature(*data, 0, "age_max"), 41.0);
  // numpy's std of [41, 38, 9, 6] (ddof 0): mean 23.5, squares 306.25+210.25+210.25+306.25
  EXPECT_DOUBLE_EQ(Feature(*data, 0, "age_std"), std::sqrt(1033.0 / 4.0));
  EXPECT_EQ(Feature(*data, 1, "age_std"), 0.0);
  EXPECT_EQ(Feature(*data, 0, "people_num"), 4.0);
  EXPECT_EQ(Feature(*data, 0, "pool"), 1.0);
  EXPECT_EQ(Feature(*data, 0, "pet_friendly"), 0.0);  // "false"
  EXPECT_EQ(Feature(*data, 0, "lake"), 1.0);          // "TRUE"
  EXPECT_EQ(Feature(*data, 0, "price"), 225.5);
  EXPECT_EQ(Feature(*data, 0, "user_score"), 4.7);
}

TEST(ParseLabelledTsv, ReferenceFormatErrorsNameRowAndColumn) {
  const auto bad_ages =
      ParseLabelledTsv(ReferenceHeader() + ReferenceRow("[41, x]", "0.0"), "ref.tsv");
  ASSERT_FALSE(bad_ages.ok());
  EXPECT_NE(bad_ages.error().message.find("ref.tsv: data row 1, column 'people_age': not a list"),
            std::string::npos)
      << bad_ages.error().message;
  const auto bad_label =
      ParseLabelledTsv(ReferenceHeader() + ReferenceRow("[41]", "0.5"), "ref.tsv");
  ASSERT_FALSE(bad_label.ok());
  EXPECT_NE(bad_label.error().message.find("column 'label': expected 0 or 1, got '0.5'"),
            std::string::npos);
}

TEST(ParseLabelledTsv, NeitherFormatNamesTheMissingColumnOfBoth) {
  const auto data = ParseLabelledTsv(ReferenceHeader("price"), "ref.tsv");
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message.find("header has no column 'age_min'"), std::string::npos)
      << data.error().message;
  EXPECT_NE(data.error().message.find("no column 'price'"), std::string::npos)
      << data.error().message;
  const auto ours = ParseLabelledTsv("people_num\tlabel\n1\t0\n", "t.tsv");
  ASSERT_FALSE(ours.ok());
  EXPECT_NE(ours.error().message.find("header has no column 'children_num'"), std::string::npos);
  EXPECT_NE(ours.error().message.find("no column 'people_age'"), std::string::npos)
      << ours.error().message;
}

TEST(ReadLabelledTsv, MissingFileIsNotFound) {
  const auto data = ReadLabelledTsv("/nonexistent/dataset_labelled.tsv");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.error().code, ErrorCode::kNotFound);
}

TEST(DatasetFromExamples, PutsUserThenLocationFeatures) {
  LabelledExample e;
  e.user.people_num = 3;
  e.user.budget = 250;
  e.user.sport = true;
  e.user.age_std = 1.5;
  e.location.children = true;
  e.location.price = 99;
  e.location.user_score = 4.25;
  e.label = 1;
  const auto data = DatasetFromExamples(std::span(&e, 1));
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->x(0, 0), 3);
  EXPECT_EQ(data->x(0, 2), 250);
  EXPECT_EQ(data->x(0, 9), 1);
  EXPECT_EQ(data->x(0, 12), 1.5);
  EXPECT_EQ(data->x(0, 13), 1);
  EXPECT_EQ(data->x(0, 17), 99);
  EXPECT_EQ(data->x(0, 29), 4.25);
  EXPECT_EQ(data->y[0], 1);
  e.label = 5;
  EXPECT_FALSE(DatasetFromExamples(std::span(&e, 1)).ok());
}

TEST(SplitHeadTail, TrainsOnTheFirstRowsAndTestsOnTheRest) {
  Dataset data;
  data.x = FeatureMatrix::Zero(10, kNumFeatures);
  for (int r = 0; r < 10; ++r) data.x(r, 0) = r;
  data.y.assign(10, 0);
  const auto split = SplitHeadTail(data, 0.2);
  ASSERT_EQ(split.train.rows(), 8);
  ASSERT_EQ(split.test.rows(), 2);
  EXPECT_EQ(split.train.x(7, 0), 7);
  EXPECT_EQ(split.test.x(0, 0), 8);
  EXPECT_EQ(SplitHeadTail(data, 0.0).test.rows(), 0);
}

}  // namespace
}  // namespace mlprod::ml
