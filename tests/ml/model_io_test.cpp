// Model folders: save -> load -> score is bit-identical, and every kind of damage is refused with
// kDataLoss and a message that says what is wrong.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/uuid.h"
#include "ml/model_io.h"
#include "ml/scorer.h"
#include "ml/test_data.h"
#include "ml/train.h"

namespace mlprod::ml {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Spit(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << s;
}

class ModelFolder : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto split = SplitHeadTail(testing::RandomDataset(300, 21), 0.2);
    model_ = new Model(TrainAndEvaluate(split.train, split.test, {.epochs = 2}).value());
    other_ = new Model(Train(testing::RandomDataset(300, 22), {.epochs = 1}).value());
  }
  static void TearDownTestSuite() {
    delete model_;
    delete other_;
  }
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("mlprod-model-io-" + NewUuid());
    dir_ = root_ / "model";
    ASSERT_TRUE(SaveModel(*model_, dir_).ok());
  }
  void TearDown() override { fs::remove_all(root_); }

  void ExpectDataLoss(const std::string& fragment) {
    const auto loaded = LoadModel(dir_);
    ASSERT_FALSE(loaded.ok()) << "damaged folder loaded";
    EXPECT_EQ(loaded.error().code, ErrorCode::kDataLoss) << loaded.error().message;
    EXPECT_NE(loaded.error().message.find(fragment), std::string::npos) << loaded.error().message;
  }
  void EditJson(const std::function<void(nlohmann::json&)>& edit) {
    auto j = nlohmann::json::parse(Slurp(dir_ / "model.json"));
    edit(j);
    Spit(dir_ / "model.json", j.dump(2));
  }

  static Model* model_;
  static Model* other_;
  fs::path root_, dir_;
};
Model* ModelFolder::model_ = nullptr;
Model* ModelFolder::other_ = nullptr;

TEST_F(ModelFolder, SaveLoadScoreIsBitIdentical) {
  auto loaded = LoadSharedModel(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Model& m = **loaded;
  EXPECT_EQ(m.weights().w1, model_->weights().w1);
  EXPECT_EQ(m.selected(), model_->selected());
  EXPECT_EQ(m.metadata().test_records, 60);
  EXPECT_EQ(m.metadata().test.auc, model_->metadata().test.auc);

  Rng rng(4);
  std::vector<Location> locations;
  for (int i = 0; i < 37; ++i) locations.push_back(testing::RandomLocation(rng, i + 1));
  const User user = testing::RandomUser(rng);
  const auto original = LocationScorer::Create(std::make_shared<const Model>(*model_), locations);
  const auto reloaded = LocationScorer::Create(*loaded, locations);
  std::vector<float> a(37), b(37);
  ASSERT_TRUE(original->Score(user, a).ok());
  ASSERT_TRUE(reloaded->Score(user, b).ok());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float)));
  const auto data = testing::RandomDataset(50, 5);
  EXPECT_EQ(m.Predict(data.x), model_->Predict(data.x));
}

TEST_F(ModelFolder, TruncatedWeightsAreDataLoss) {
  const std::string weights = Slurp(dir_ / "weights.bin");
  for (std::size_t keep :
       {std::size_t{0}, std::size_t{7}, std::size_t{40}, weights.size() / 2, weights.size() - 1}) {
    Spit(dir_ / "weights.bin", weights.substr(0, keep));
    ExpectDataLoss("weights.bin");
  }
}

TEST_F(ModelFolder, EditedWeightByteIsDataLoss) {
  std::string weights = Slurp(dir_ / "weights.bin");
  weights[weights.size() / 2] ^= 0x01;
  Spit(dir_ / "weights.bin", weights);
  ExpectDataLoss("checksum");
}

TEST_F(ModelFolder, WeightsOfAnotherModelAreDataLoss) {
  const fs::path other_dir = root_ / "other";
  ASSERT_TRUE(SaveModel(*other_, other_dir).ok());
  fs::copy_file(other_dir / "weights.bin", dir_ / "weights.bin",
                fs::copy_options::overwrite_existing);
  ExpectDataLoss("checksum");
}

TEST_F(ModelFolder, MismatchedSizesInModelJsonAreDataLoss) {
  EditJson([](nlohmann::json& j) { j["layers"][0]["outputs"] = 32; });
  ExpectDataLoss("layer 1 is 20x32");
  ASSERT_TRUE(SaveModel(*model_, dir_).ok());
  EditJson([](nlohmann::json& j) { j["selected_features"].erase(0); });
  ExpectDataLoss("selects 19 features");
  ASSERT_TRUE(SaveModel(*model_, dir_).ok());
  EditJson([](nlohmann::json& j) { j["scaler"]["data_max"].erase(0); });
  ExpectDataLoss("scaler needs 30");
  ASSERT_TRUE(SaveModel(*model_, dir_).ok());
  EditJson([](nlohmann::json& j) { j["features"][3] = "stars"; });
  ExpectDataLoss("'stars'");
}

TEST_F(ModelFolder, EditedPreprocessingNoLongerMatchesTheWeights) {
  EditJson([](nlohmann::json& j) {
    j["scaler"]["data_max"][2] = j["scaler"]["data_max"][2].get<double>() * 2;
  });
  ExpectDataLoss("other preprocessing");
}

TEST_F(ModelFolder, BrokenJsonAndMissingFilesAreRefused) {
  const std::string text = Slurp(dir_ / "model.json");
  Spit(dir_ / "model.json", text.substr(0, text.size() / 2));
  ExpectDataLoss("not valid JSON");
  Spit(dir_ / "model.json", "{}");
  ExpectDataLoss("missing or mistyped field");
  Spit(dir_ / "model.json", text);
  EditJson([](nlohmann::json& j) { j["format_version"] = 99; });
  ExpectDataLoss("format_version 99");
  Spit(dir_ / "model.json", text);
  fs::remove(dir_ / "weights.bin");
  ExpectDataLoss("weights.bin");
  const auto missing = LoadModel(root_ / "nothing-here");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(ModelFolder, SavingReplacesAModelButNotOtherFolders) {
  ASSERT_TRUE(SaveModel(*other_, dir_).ok());
  auto loaded = LoadModel(dir_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->weights().w1, other_->weights().w1);
  for (const auto& entry : fs::directory_iterator(root_)) {
    EXPECT_EQ(entry.path().filename(), "model") << "temp folder left behind";
  }
  const fs::path busy = root_ / "busy";
  fs::create_directories(busy);
  Spit(busy / "notes.txt", "mine");
  const auto st = SaveModel(*model_, busy);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Slurp(busy / "notes.txt"), "mine");
}

TEST(ModelFolderPaths, RelativePathsResolveAgainstTheDataDirAbsoluteOnesStay) {
  EXPECT_EQ(ResolveModelFolder("/srv/data", "models/baseline"),
            fs::path("/srv/data/models/baseline"));
  EXPECT_EQ(ResolveModelFolder("/srv/data", "/old/data/models/x"), fs::path("/old/data/models/x"));
  EXPECT_EQ(ResolveModelFolder("", "models/x"), fs::path("models/x"));
}

TEST(ModelFolderPaths, FoldersUnderTheDataDirAreStoredRelativeOthersAbsolute) {
  EXPECT_EQ(StoredModelFolder("/srv/data", "/srv/data/models/baseline"), "models/baseline");
  EXPECT_EQ(StoredModelFolder("/srv/data/", "/srv/data/./models/../models/x"), "models/x");
  EXPECT_EQ(StoredModelFolder("/srv/data", "/srv/other/models/x"), "/srv/other/models/x");
  EXPECT_EQ(StoredModelFolder("/srv/data", "/srv/data-2/models/x"), "/srv/data-2/models/x");
  const fs::path cwd = fs::current_path();
  EXPECT_EQ(StoredModelFolder("data", cwd / "data" / "models" / "y"), "models/y");
}

}  // namespace
}  // namespace mlprod::ml
