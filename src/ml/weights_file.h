// The binary weights file of a model folder (layout in docs/ml.md): header with magic, version,
// layer shapes and a hash of the preprocessing it was trained with, float32 payload, FNV-1a
// trailer. Internal to model_io; pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "ml/mlp.h"
#include "ml/preprocess.h"

namespace mlprod::ml {

inline constexpr char kWeightsMagic[8] = {'M', 'L', 'P', 'R', 'O', 'D', 'W', 'T'};
inline constexpr std::uint32_t kWeightsVersion = 1;

// Hash of what the weights depend on: feature names, selected indices and scaler parameters
// (exact bits). A model.json whose preprocessing was edited no longer matches its weights.
std::uint64_t PipelineHash(const MinMaxScaler& scaler, const std::array<int, kMlpInputs>& selected);

std::string EncodeWeightsFile(const MlpParams<float>& params, std::uint64_t pipeline_hash);

// Verifies size, magic, version, shapes, checksum, pipeline hash and finiteness.
// Every failure is kDataLoss with a message prefixed by `source`.
Result<MlpParams<float>> DecodeWeightsFile(std::string_view bytes, std::uint64_t pipeline_hash,
                                           std::string_view source);

}  // namespace mlprod::ml
