#include "ml/weights_file.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "ml/features.h"
#include "ml/model_io.h"

namespace mlprod::ml {

static_assert(std::endian::native == std::endian::little,
              "weights files are little-endian; add byte swapping for this platform");

namespace {

constexpr std::uint32_t kFloat32 = 1;
constexpr std::uint32_t kLayers = 3;
constexpr std::uint32_t kShapes[kLayers][2] = {
    {kMlpInputs, kMlpHidden1}, {kMlpHidden1, kMlpHidden2}, {kMlpHidden2, 1}};
constexpr std::size_t kHeaderBytes = 8 + 4 + 4 + 4 + kLayers * 8 + 8 + 8;
constexpr std::size_t kPayloadFloats = kMlpHidden1 * kMlpInputs + kMlpHidden1 +
                                       kMlpHidden2 * kMlpHidden1 + kMlpHidden2 + kMlpHidden2 + 1;
constexpr std::size_t kFileBytes = kHeaderBytes + kPayloadFloats * 4 + 8;

template <typename V>
void Put(std::string& out, V v) {
  char buf[sizeof(V)];
  std::memcpy(buf, &v, sizeof(V));
  out.append(buf, sizeof(V));
}

template <typename V>
V Get(std::string_view bytes, std::size_t& pos) {
  V v;
  std::memcpy(&v, bytes.data() + pos, sizeof(V));
  pos += sizeof(V);
  return v;
}

// Layer weights row by row (outputs x inputs, as PyTorch stores them), then the biases.
template <typename W, typename B, typename F>
void ForEachLayerValue(W& w, B& b, F&& f) {
  for (Eigen::Index r = 0; r < w.rows(); ++r) {
    for (Eigen::Index c = 0; c < w.cols(); ++c) f(w(r, c));
  }
  for (Eigen::Index r = 0; r < b.rows(); ++r) f(b(r, 0));
}

template <typename P, typename F>
void ForEachValue(P& p, F&& f) {
  ForEachLayerValue(p.w1, p.b1, f);
  ForEachLayerValue(p.w2, p.b2, f);
  ForEachLayerValue(p.w3, p.b3, f);
}

std::uint64_t HashBytes(std::string_view s, std::uint64_t h) {
  return Fnv1a64({reinterpret_cast<const unsigned char*>(s.data()), s.size()}, h);
}

Error Damaged(std::string_view source, const std::string& what) {
  return MakeError(ErrorCode::kDataLoss, std::string(source) + ": " + what);
}

}  // namespace

std::uint64_t Fnv1a64(std::span<const unsigned char> bytes, std::uint64_t hash) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t PipelineHash(const MinMaxScaler& scaler,
                           const std::array<int, kMlpInputs>& selected) {
  std::string buf;
  for (auto name : FeatureNames()) {
    buf.append(name);
    buf.push_back('\0');
  }
  for (int s : selected) Put<std::int32_t>(buf, s);
  for (int f = 0; f < kNumFeatures; ++f) {
    Put<double>(buf, scaler.data_min[f]);
    Put<double>(buf, scaler.data_max[f]);
  }
  return HashBytes(buf, 0xcbf29ce484222325ULL);
}

std::string EncodeWeightsFile(const MlpParams<float>& params, std::uint64_t pipeline_hash) {
  std::string out;
  out.reserve(kFileBytes);
  out.append(kWeightsMagic, sizeof(kWeightsMagic));
  Put<std::uint32_t>(out, kWeightsVersion);
  Put<std::uint32_t>(out, kFloat32);
  Put<std::uint32_t>(out, kLayers);
  for (const auto& shape : kShapes) {
    Put<std::uint32_t>(out, shape[0]);
    Put<std::uint32_t>(out, shape[1]);
  }
  Put<std::uint64_t>(out, pipeline_hash);
  Put<std::uint64_t>(out, kPayloadFloats * 4);
  ForEachValue(params, [&out](float v) { Put<float>(out, v); });
  Put<std::uint64_t>(out, HashBytes(out, 0xcbf29ce484222325ULL));
  return out;
}

Result<MlpParams<float>> DecodeWeightsFile(std::string_view bytes, std::uint64_t pipeline_hash,
                                           std::string_view source) {
  if (bytes.size() < kHeaderBytes ||
      std::memcmp(bytes.data(), kWeightsMagic, sizeof(kWeightsMagic)) != 0) {
    return Damaged(source, "not an mlprod weights file (bad magic or shorter than its header)");
  }
  std::size_t pos = sizeof(kWeightsMagic);
  const auto version = Get<std::uint32_t>(bytes, pos);
  if (version != kWeightsVersion) {
    return Damaged(source, "weights format version " + std::to_string(version) +
                               " is not supported (this build reads " +
                               std::to_string(kWeightsVersion) + ")");
  }
  const auto scalar = Get<std::uint32_t>(bytes, pos);
  const auto layers = Get<std::uint32_t>(bytes, pos);
  if (scalar != kFloat32 || layers != kLayers) {
    return Damaged(source, "unexpected scalar type or layer count in the header");
  }
  for (const auto& shape : kShapes) {
    const auto in = Get<std::uint32_t>(bytes, pos);
    const auto out = Get<std::uint32_t>(bytes, pos);
    if (in != shape[0] || out != shape[1]) {
      return Damaged(source, "layer shape " + std::to_string(in) + "x" + std::to_string(out) +
                                 " does not match the 20-64-16-1 network");
    }
  }
  const auto stored_pipeline = Get<std::uint64_t>(bytes, pos);
  const auto payload = Get<std::uint64_t>(bytes, pos);
  if (payload != kPayloadFloats * 4 || bytes.size() != kFileBytes) {
    return Damaged(source, "size " + std::to_string(bytes.size()) + " bytes, expected " +
                               std::to_string(kFileBytes) + " (truncated or padded)");
  }
  std::size_t trailer = bytes.size() - 8;
  const auto checksum = Get<std::uint64_t>(bytes, trailer);
  if (checksum != HashBytes(bytes.substr(0, bytes.size() - 8), 0xcbf29ce484222325ULL)) {
    return Damaged(source, "checksum mismatch (the file was modified or corrupted)");
  }
  if (stored_pipeline != pipeline_hash) {
    return Damaged(source,
                   "weights were trained with other preprocessing than model.json describes "
                   "(mixed-up or edited model folder)");
  }
  MlpParams<float> params;
  bool finite = true;
  ForEachValue(params, [&](float& v) {
    v = Get<float>(bytes, pos);
    finite = finite && std::isfinite(v);
  });
  if (!finite) return Damaged(source, "non-finite weight");
  return params;
}

}  // namespace mlprod::ml
