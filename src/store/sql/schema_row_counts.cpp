#include <string>

#include "store/sql/schema.h"

namespace mlprod::store {
namespace {

// Version 12: row counts kept incrementally, so GET /content/info reads 32 small rows instead
// of counting every user (a COUNT(*) over 90,000 users took /content/info from 30,300 to 620
// req/s). row_counts holds kRowCountShards rows per counted table; a row's shard is its key
// modulo kRowCountShards and the count is the SUM over the table's shards. One row per table
// would serialise every inserting transaction on PostgreSQL (the updated row stays locked until
// commit); with shards, concurrent loops (consecutive user ids) update different rows. Only the
// sum means anything: a delete decrements its key's shard, which may then go below zero when the
// migration put a table's existing rows all on shard 0.
constexpr int kRowCountShards = 16;

struct CountedTable {
  const char* table;
  const char* key;
};
constexpr CountedTable kCounted[] = {{"users", "user_id"}, {"locations", "location_id"}};

std::string ShardOf(const std::string& key) {
  const std::string n = std::to_string(kRowCountShards);
  // Non-negative for negative keys too (% and mod() keep the dividend's sign).
  return "(((" + key + ") % " + n + ") + " + n + ") % " + n;
}

// SQLite: row triggers (one in-process primary-key update per row; SQLite has one writer, so
// no lock contention to avoid either).
void AddSqliteTriggers(std::vector<std::string>& out, const CountedTable& t) {
  const std::string table = t.table;
  for (const bool insert : {true, false}) {
    const std::string op = insert ? "INSERT" : "DELETE";
    const std::string row = insert ? "NEW." : "OLD.";
    out.push_back("CREATE TRIGGER mlprod_row_count_" + table + (insert ? "_inserted" : "_deleted") +
                  " AFTER " + op + " ON " + table + " BEGIN UPDATE row_counts SET n = n " +
                  (insert ? "+" : "-") + " 1 WHERE tab = '" + table +
                  "' AND shard = " + ShardOf(row + t.key) + "; END");
  }
}

// PostgreSQL: statement triggers over the transition table, one UPDATE per touched shard in
// shard order (two bulk statements then never wait for each other's shards in a cycle), and
// TRUNCATE resets the counts. No colons: SOCI would take ":name" for a bound parameter.
void AddPostgresTriggers(std::vector<std::string>& out, const CountedTable& t) {
  const std::string table = t.table;
  const std::string fn = "mlprod_row_count_" + table;
  out.push_back("CREATE FUNCTION " + fn +
                "() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
                "DECLARE\n  s INTEGER;\n  k BIGINT;\nBEGIN\n"
                "  IF TG_OP = 'TRUNCATE' THEN\n"
                "    UPDATE row_counts SET n = 0 WHERE tab = '" +
                table +
                "';\n    RETURN NULL;\n  END IF;\n"
                "  FOR s, k IN SELECT " +
                ShardOf(t.key) +
                ", COUNT(*) FROM changed_rows GROUP BY 1 ORDER BY 1 LOOP\n"
                "    UPDATE row_counts SET n = n + CASE WHEN TG_OP = 'INSERT' THEN k ELSE -k END\n"
                "     WHERE tab = '" +
                table + "' AND shard = s;\n  END LOOP;\n  RETURN NULL;\nEND\n$fn$");
  out.push_back("CREATE TRIGGER " + fn + "_inserted AFTER INSERT ON " + table +
                " REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn +
                "()");
  out.push_back("CREATE TRIGGER " + fn + "_deleted AFTER DELETE ON " + table +
                " REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION " + fn +
                "()");
  out.push_back("CREATE TRIGGER " + fn + "_truncated AFTER TRUNCATE ON " + table +
                " FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "()");
}

}  // namespace

std::vector<std::string> RowCountsMigration(const Dialect& d) {
  std::vector<std::string> out = {
      "CREATE TABLE row_counts (tab TEXT NOT NULL, shard INTEGER NOT NULL, n BIGINT NOT NULL, "
      "PRIMARY KEY (tab, shard))",
  };
  // The inferences a restarted `mlprod serve` queues again (ListUnfinishedInferences): without
  // it, its walk by task id passes every finished inference. Only unfinished rows are in it.
  out.push_back(
      "CREATE INDEX ix_inferences_unfinished ON inferences (task_id) "
      "WHERE status IN ('PENDING', 'STARTED')");
  for (const CountedTable& t : kCounted) {
    // Triggers first: on PostgreSQL, CREATE TRIGGER locks the table against writers until the
    // migration commits, so the count below misses no concurrent insert.
    if (d.backend == Backend::kPostgres) {
      AddPostgresTriggers(out, t);
    } else {
      AddSqliteTriggers(out, t);
    }
    const std::string table = t.table;
    out.push_back("INSERT INTO row_counts (tab, shard, n) SELECT '" + table +
                  "', 0, COUNT(*) FROM " + table);
    std::string rest = "INSERT INTO row_counts (tab, shard, n) VALUES ";
    for (int shard = 1; shard < kRowCountShards; ++shard) {
      rest += (shard > 1 ? ", ('" : "('") + table + "', " + std::to_string(shard) + ", 0)";
    }
    out.push_back(rest);
  }
  return out;
}

}  // namespace mlprod::store
