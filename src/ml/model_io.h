// Model folders on disk (format documented in docs/ml.md): model.json with the metadata and
// preprocessing, weights.bin with the MLP weights, a header and checksums binding the two.
// Not the model itself (model.h). Functions are reentrant; concurrent saves to one path race on
// the final rename, never on half-written files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "common/result.h"
#include "ml/model.h"

namespace mlprod::ml {

inline constexpr int kModelFormatVersion = 1;
inline constexpr char kModelJsonName[] = "model.json";
inline constexpr char kWeightsName[] = "weights.bin";

// Writes the folder atomically: both files go into a hidden sibling temp folder that is then
// renamed to `dir`. An existing model folder at `dir` is replaced; an existing folder that is
// not a model folder (no model.json) and is not empty is left alone (kConflict).
Status SaveModel(const Model& model, const std::filesystem::path& dir);

// Reads and verifies a model folder. Anything damaged, truncated, edited or inconsistent (bad
// JSON, wrong sizes or feature names, checksum mismatch, weights of another model, non-finite
// values) is kDataLoss with a message naming the file and the problem; a missing folder or
// file is kNotFound.
Result<Model> LoadModel(const std::filesystem::path& dir);
Result<std::shared_ptr<const Model>> LoadSharedModel(const std::filesystem::path& dir);

// A model folder as the models table stores it: relative to the data dir (models/<id>, since
// schema migration 16) or absolute (older rows, folders elsewhere). Resolve gives the folder to
// load; Stored gives what to write for `folder` (relative when it lies under data_dir).
std::filesystem::path ResolveModelFolder(const std::filesystem::path& data_dir,
                                         const std::string& stored);
std::string StoredModelFolder(const std::filesystem::path& data_dir,
                              const std::filesystem::path& folder);

// FNV-1a 64-bit hash, the checksum of the weights file.
std::uint64_t Fnv1a64(std::span<const unsigned char> bytes,
                      std::uint64_t hash = 0xcbf29ce484222325ULL);

// Encodings behind SaveModel/LoadModel, exposed for tests.
std::string EncodeWeights(const Model& model);
std::string EncodeModelJson(const Model& model, std::uint64_t weights_checksum,
                            std::size_t weights_bytes);
Result<Model> DecodeModel(std::string_view model_json, std::string_view weights,
                          std::string_view source);

}  // namespace mlprod::ml
