#include "queue/amqp/amqp_table.h"

#include <cstring>
#include <string>

namespace mlprod::queue {
namespace {

using nlohmann::json;

std::string Str(const amqp_bytes_t& b) {
  return std::string(static_cast<const char*>(b.bytes), b.len);
}

json FieldToJson(const amqp_field_value_t& v);

json ArrayToJson(const amqp_array_t& a) {
  json out = json::array();
  for (int i = 0; i < a.num_entries; ++i) out.push_back(FieldToJson(a.entries[i]));
  return out;
}

json FieldToJson(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_BOOLEAN:
      return v.value.boolean != 0;
    case AMQP_FIELD_KIND_I8:
      return v.value.i8;
    case AMQP_FIELD_KIND_U8:
      return v.value.u8;
    case AMQP_FIELD_KIND_I16:
      return v.value.i16;
    case AMQP_FIELD_KIND_U16:
      return v.value.u16;
    case AMQP_FIELD_KIND_I32:
      return v.value.i32;
    case AMQP_FIELD_KIND_U32:
      return v.value.u32;
    case AMQP_FIELD_KIND_I64:
      return v.value.i64;
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP:
      return v.value.u64;
    case AMQP_FIELD_KIND_F32:
      return v.value.f32;
    case AMQP_FIELD_KIND_F64:
      return v.value.f64;
    case AMQP_FIELD_KIND_DECIMAL: {
      double d = v.value.decimal.value;
      for (int i = 0; i < v.value.decimal.decimals; ++i) d /= 10;
      return std::to_string(d);
    }
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
      return Str(v.value.bytes);
    case AMQP_FIELD_KIND_ARRAY:
      return ArrayToJson(v.value.array);
    case AMQP_FIELD_KIND_TABLE:
      return AmqpTableToJson(v.value.table);
    case AMQP_FIELD_KIND_VOID:
    default:
      return nullptr;
  }
}

amqp_bytes_t CopyBytes(const std::string& s, amqp_pool_t* pool) {
  amqp_bytes_t b;
  b.len = s.size();
  b.bytes = s.empty() ? nullptr : amqp_pool_alloc(pool, s.size());
  if (!s.empty()) std::memcpy(b.bytes, s.data(), s.size());
  return b;
}

amqp_field_value_t JsonToField(const json& v, amqp_pool_t* pool) {
  amqp_field_value_t f{};
  if (v.is_null()) {
    f.kind = AMQP_FIELD_KIND_VOID;
  } else if (v.is_boolean()) {
    f.kind = AMQP_FIELD_KIND_BOOLEAN;
    f.value.boolean = v.get<bool>() ? 1 : 0;
  } else if (v.is_number_integer()) {
    f.kind = AMQP_FIELD_KIND_I64;
    f.value.i64 = v.get<std::int64_t>();
  } else if (v.is_number_float()) {
    f.kind = AMQP_FIELD_KIND_F64;
    f.value.f64 = v.get<double>();
  } else if (v.is_string()) {
    f.kind = AMQP_FIELD_KIND_UTF8;
    f.value.bytes = CopyBytes(v.get_ref<const std::string&>(), pool);
  } else if (v.is_array()) {
    f.kind = AMQP_FIELD_KIND_ARRAY;
    f.value.array.num_entries = static_cast<int>(v.size());
    f.value.array.entries = static_cast<amqp_field_value_t*>(
        amqp_pool_alloc(pool, sizeof(amqp_field_value_t) * (v.empty() ? 1 : v.size())));
    int i = 0;
    for (const auto& e : v) f.value.array.entries[i++] = JsonToField(e, pool);
  } else {
    f.kind = AMQP_FIELD_KIND_TABLE;
    f.value.table = JsonToAmqpTable(v, pool);
  }
  return f;
}

}  // namespace

json AmqpTableToJson(const amqp_table_t& table) {
  json out = json::object();
  for (int i = 0; i < table.num_entries; ++i) {
    out[Str(table.entries[i].key)] = FieldToJson(table.entries[i].value);
  }
  return out;
}

amqp_table_t JsonToAmqpTable(const json& object, amqp_pool_t* pool) {
  amqp_table_t t{};
  if (!object.is_object() || object.empty()) return t;
  t.num_entries = static_cast<int>(object.size());
  t.entries = static_cast<amqp_table_entry_t*>(
      amqp_pool_alloc(pool, sizeof(amqp_table_entry_t) * object.size()));
  int i = 0;
  for (const auto& [key, value] : object.items()) {
    t.entries[i].key = CopyBytes(key, pool);
    t.entries[i].value = JsonToField(value, pool);
    ++i;
  }
  return t;
}

}  // namespace mlprod::queue
