// Model folders on disk: reading both files, and the atomic write through a temp folder. The
// encodings live in model_io.cpp and weights_file.cpp.
#include <fstream>
#include <sstream>

#include "common/tsv.h"
#include "common/uuid.h"
#include "ml/model_io.h"  // declares everything defined here

namespace mlprod::ml {

namespace fs = std::filesystem;

namespace {

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kDataLoss, "cannot read " + path.string());
  return ss.str();
}

}  // namespace

Result<Model> LoadModel(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return MakeError(ErrorCode::kNotFound, "no model folder at " + dir.string());
  }
  auto json_text = ReadFile(dir / kModelJsonName);
  if (!json_text.ok()) return json_text.error();
  auto weights = ReadFile(dir / kWeightsName);
  if (!weights.ok()) {
    // model.json without its weights is a damaged folder, not a missing one.
    return MakeError(ErrorCode::kDataLoss, weights.error().message);
  }
  return DecodeModel(*json_text, *weights, dir.string());
}

Result<std::shared_ptr<const Model>> LoadSharedModel(const fs::path& dir) {
  auto model = LoadModel(dir);
  if (!model.ok()) return model.error();
  return std::shared_ptr<const Model>(std::make_shared<const Model>(std::move(*model)));
}

Status SaveModel(const Model& model, const fs::path& dir_in) {
  const fs::path dir = dir_in.has_filename() ? dir_in : dir_in.parent_path();
  const std::string weights = EncodeWeights(model);
  const auto sum =
      Fnv1a64({reinterpret_cast<const unsigned char*>(weights.data()), weights.size()});
  const std::string json_text = EncodeModelJson(model, sum, weights.size());

  std::error_code ec;
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec)
    return MakeError(ErrorCode::kUnavailable,
                     "cannot create " + parent.string() + ": " + ec.message());
  const fs::path tmp = parent / ("." + dir.filename().string() + ".tmp-" + NewUuid());
  auto cleanup = [&tmp] {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
  };
  fs::create_directory(tmp, ec);
  if (ec)
    return MakeError(ErrorCode::kUnavailable,
                     "cannot create " + tmp.string() + ": " + ec.message());
  for (const auto& [name, content] :
       {std::pair<const char*, const std::string*>{kWeightsName, &weights},
        {kModelJsonName, &json_text}}) {
    if (auto st = WriteFileAtomic(tmp / name, *content); !st.ok()) {
      cleanup();
      return st;
    }
  }
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    if (!fs::exists(dir / kModelJsonName, ec)) {
      cleanup();
      return MakeError(ErrorCode::kConflict, dir.string() +
                                                 " exists and is not a model folder; refusing to "
                                                 "replace it");
    }
    // rename() cannot replace a non-empty directory: move the old model aside first.
    const fs::path old = parent / ("." + dir.filename().string() + ".old-" + NewUuid());
    fs::rename(dir, old, ec);
    if (ec) {
      cleanup();
      return MakeError(ErrorCode::kUnavailable,
                       "cannot move old model " + dir.string() + ": " + ec.message());
    }
    fs::rename(tmp, dir, ec);
    if (ec) {
      std::error_code ignored;
      fs::rename(old, dir, ignored);
      cleanup();
      return MakeError(ErrorCode::kUnavailable,
                       "cannot rename " + tmp.string() + ": " + ec.message());
    }
    fs::remove_all(old, ec);
    return OkStatus();
  }
  fs::rename(tmp, dir, ec);
  if (ec) {
    cleanup();
    return MakeError(ErrorCode::kUnavailable,
                     "cannot rename " + tmp.string() + " to " + dir.string() + ": " + ec.message());
  }
  return OkStatus();
}

}  // namespace mlprod::ml
