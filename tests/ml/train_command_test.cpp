// Black-box tests of `mlprod train` (the binary in MLPROD_BINARY): a good file gives a loadable
// model folder, a bad file gives a one-line error, exit code 1 and nothing written.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/uuid.h"
#include "ml/model_io.h"
#include "ml/test_data.h"

#include "test_env.h"

namespace mlprod::ml {
namespace {

namespace fs = std::filesystem;

class TrainCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = mlprod::testing::BinaryPath();
    ASSERT_TRUE(fs::exists(binary_)) << "build the mlprod binary first: " << binary_;
    root_ = fs::temp_directory_path() / ("mlprod-train-cmd-" + NewUuid());
    fs::create_directories(root_);
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }
  int Run(const std::string& args) {
    const std::string cmd = binary_ + " train " + args + " > " + (root_ / "stdout").string() +
                            " 2> " + (root_ / "stderr").string();
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string Stderr() {
    std::ifstream in(root_ / "stderr");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string binary_;
  fs::path root_;
};

TEST_F(TrainCommand, WritesALoadableModelFolder) {
  const auto data = testing::RandomDataset(300, 12);
  std::ofstream tsv(root_ / "data.tsv");
  for (auto name : FeatureNames()) tsv << name << '\t';
  tsv << "label\n";
  for (std::int64_t r = 0; r < data.rows(); ++r) {
    for (int f = 0; f < kNumFeatures; ++f) tsv << data.x(r, f) << '\t';
    tsv << int{data.y[static_cast<std::size_t>(r)]} << '\n';
  }
  tsv.close();
  ASSERT_EQ(Run("--data " + (root_ / "data.tsv").string() + " --out " + (root_ / "m").string() +
                " --epochs 2 --seed 3"),
            0)
      << Stderr();
  const auto model = LoadModel(root_ / "m");
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ(model->metadata().seed, 3u);
  EXPECT_EQ(model->metadata().train_records, 240);
  EXPECT_EQ(model->metadata().test_records, 60);
}

TEST_F(TrainCommand, TrainsOnTheReferencesLabelledFile) {
  // Written in the reference's format (people_age lists, True/False, 0.0/1.0 labels).
  const auto data =
      fs::path(mlprod::testing::SourceDir()) / "tests/data/fixtures/reference_dataset_labelled.tsv";
  ASSERT_EQ(Run("--data " + data.string() + " --out " + (root_ / "m").string() + " --epochs 2"), 0)
      << Stderr();
  const auto model = LoadModel(root_ / "m");
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ(model->metadata().train_records, 24);
  EXPECT_EQ(model->metadata().test_records, 6);
}

TEST_F(TrainCommand, BadFileIsAClearErrorAndWritesNothing) {
  std::ofstream(root_ / "bad.tsv") << "people_num\tlabel\n1\t0\n";
  EXPECT_EQ(Run("--data " + (root_ / "bad.tsv").string() + " --out " + (root_ / "m").string()), 1);
  EXPECT_NE(Stderr().find("header has no column 'children_num'"), std::string::npos) << Stderr();
  EXPECT_FALSE(fs::exists(root_ / "m"));
  EXPECT_EQ(Run("--data " + (root_ / "missing.tsv").string() + " --out " + (root_ / "m").string()),
            1);
  EXPECT_FALSE(fs::exists(root_ / "m"));
}

TEST_F(TrainCommand, OutOfRangeFlagsAreUsageErrors) {
  EXPECT_EQ(Run("--data x --out y --test-fraction 1.5"), 2);
  EXPECT_NE(Stderr().find("--test-fraction"), std::string::npos) << Stderr();
  EXPECT_EQ(Run("--data x --out y --epochs 0"), 2);
}

}  // namespace
}  // namespace mlprod::ml
