// Conversion between AMQP 0-9-1 field tables (rabbitmq-c) and JSON, for Celery's message
// headers. Not a general AMQP codec. Pure functions; thread-safe.
#pragma once

#include <amqp.h>

#include <nlohmann/json.hpp>

namespace mlprod::queue {

// Every field kind becomes its natural JSON value (void -> null, timestamps -> integers,
// byte arrays and decimals -> strings).
nlohmann::json AmqpTableToJson(const amqp_table_t& table);

// Builds a table from a JSON object; all memory comes from `pool`, which must outlive the
// table's use. Integers travel as signed 64-bit ('l'), floats as doubles, null as void.
amqp_table_t JsonToAmqpTable(const nlohmann::json& object, amqp_pool_t* pool);

}  // namespace mlprod::queue
