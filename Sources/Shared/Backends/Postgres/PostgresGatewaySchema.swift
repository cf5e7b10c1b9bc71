/// The gateway's own tables (migration 2): keys, live routes, quota counters, the request log, stored responses
/// and RAG ingestion jobs, shared by every process of a self-hosted deployment.
///
/// Instants are `double precision` unix seconds, as `Date` holds them, so values come back exactly and the usage
/// query's UTC days (`floor(ts / 86400)`) and range bounds agree with `UsageData.aggregate` to the last bit.
/// Costs are picodollars in `numeric(38, 0)` (`USD` holds an `Int128`). JSON the gateway reads back as a value
/// (the audit event, a job) is `jsonb`; JSON returned as it was stored (route definitions, stored responses) is
/// `text`, since `jsonb` reorders keys and rewrites numbers. `quota_consume` is `PostgresQuotaStore`'s one
/// atomic step.
enum PostgresGatewaySchema {
    static let tables: [String] = [
        """
        CREATE TABLE api_keys (
            hash text PRIMARY KEY,
            key_id text NOT NULL UNIQUE,
            tenant text NOT NULL,
            label text NOT NULL,
            status text NOT NULL,
            created_at double precision NOT NULL,
            expires_at double precision,
            models text[],
            rpm bigint,
            rpd bigint,
            admin boolean NOT NULL DEFAULT false
        )
        """,
        "CREATE INDEX api_keys_tenant_created ON api_keys (tenant, created_at)",
        """
        CREATE TABLE routes (
            alias text PRIMARY KEY,
            definition text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE quota_counters (
            counter_key text PRIMARY KEY,
            count bigint NOT NULL,
            expires_at bigint NOT NULL
        )
        """,
        "CREATE INDEX quota_counters_expires ON quota_counters (expires_at)",
        """
        CREATE TABLE request_log (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            request_id text NOT NULL UNIQUE,
            ts double precision NOT NULL,
            tenant text,
            key_id text,
            key_label text,
            alias text,
            provider text,
            provider_model text,
            method text NOT NULL,
            outcome text NOT NULL,
            http_status integer NOT NULL,
            prompt_tokens bigint,
            completion_tokens bigint,
            cached_tokens bigint,
            cost_pico numeric(38, 0),
            event jsonb NOT NULL
        )
        """,
        "CREATE INDEX request_log_tenant_ts ON request_log (tenant, ts)",
        "CREATE INDEX request_log_ts ON request_log (ts)",
        """
        CREATE TABLE responses (
            id text PRIMARY KEY,
            tenant text NOT NULL,
            created_at double precision NOT NULL,
            response text NOT NULL,
            conversation text NOT NULL
        )
        """,
        "CREATE INDEX responses_tenant_created ON responses (tenant, created_at)",
        """
        CREATE TABLE rag_jobs (
            id text PRIMARY KEY,
            tenant text NOT NULL,
            job jsonb NOT NULL,
            updated_at double precision NOT NULL
        )
        """,
        quotaConsume,
    ]

    /// `quota_consume(keys, expires, limits, units)` (migration 2): `quota_consume_batch` for one request, without
    /// its asynchronous commit; no longer called (processes of an earlier version may still run beside this one).
    static let quotaConsume = """
        CREATE FUNCTION quota_consume(keys text[], expires bigint[], limits bigint[], units bigint)
        RETURNS bigint[]
        LANGUAGE plpgsql AS $$
        DECLARE
            used bigint[];
        BEGIN
        \(lockCounters)
            IF NOT EXISTS (
                SELECT 1 FROM unnest(used, limits) AS u (count, lim) WHERE u.count + units > u.lim
            ) THEN
                UPDATE quota_counters c SET count = c.count + units * d.n
                FROM (SELECT k, count(*) AS n FROM unnest(keys) AS k GROUP BY k) AS d
                WHERE c.counter_key = d.k;
            END IF;
            RETURN used;
        END
        $$
        """

    /// `quota_consume_batch(keys, expires, limits, units, size)` (migration 3), `PostgresQuotaStore`'s one atomic
    /// step for `size` requests of `units` each over the same counters: the counts of the counters `keys` (each
    /// created at 0, with its window's end in `expires`, when missing) before this call, in the order given, and
    /// last how many of the requests were admitted: the first ones, as many as every limit has room for
    /// (`count + units * admitted <= limit`; with `units` 0, all or none). `units * admitted` is added to each
    /// counter (once per occurrence of its key; a list with a repeated key comes alone, `size` 1).
    ///
    /// It runs as one statement, so in one transaction: the counters are created in key order (`ON CONFLICT DO
    /// NOTHING` waits for a concurrent creator), then locked in key order (`FOR UPDATE`, which under READ
    /// COMMITTED reads the latest committed counts), so concurrent callers over overlapping counters serialise
    /// without deadlocks, and each decides on counts no one else can change before it commits.
    ///
    /// Its transaction alone commits with `synchronous_commit` off. The row locks last until the commit, so with a
    /// synchronous commit the requests of one tenant (or key) waited for each other's WAL flush in turn, a
    /// tenant's requests per second bounded by the disk's flush latency. A crash of the database may lose its last
    /// fraction of a second of counting (counts a little low for the rest of their window, so a few requests more
    /// admitted); what the counters admit and refuse while the database runs is unchanged.
    static let quotaConsumeBatch = """
        CREATE FUNCTION quota_consume_batch(keys text[], expires bigint[], limits bigint[], units bigint, size bigint)
        RETURNS bigint[]
        LANGUAGE plpgsql AS $$
        DECLARE
            used bigint[];
            admitted bigint;
        BEGIN
            PERFORM set_config('synchronous_commit', 'off', true);
        \(lockCounters)
            IF units <= 0 THEN
                admitted := CASE WHEN EXISTS (
                    SELECT 1 FROM unnest(used, limits) AS u (count, lim) WHERE u.count + units > u.lim
                ) THEN 0 ELSE size END;
            ELSE
                SELECT LEAST(size, min(GREATEST(0, (u.lim - u.count) / units))) INTO admitted
                FROM unnest(used, limits) AS u (count, lim);
            END IF;
            IF admitted > 0 THEN
                UPDATE quota_counters c SET count = c.count + units * d.n * admitted
                FROM (SELECT k, count(*) AS n FROM unnest(keys) AS k GROUP BY k) AS d
                WHERE c.counter_key = d.k;
            END IF;
            RETURN used || admitted;
        END
        $$
        """

    /// Creates the missing counters and locks them, in key order; their counts into `used`, in the order of `keys`.
    static let lockCounters = """
            INSERT INTO quota_counters (counter_key, count, expires_at)
            SELECT k, 0, e FROM unnest(keys, expires) AS i (k, e) ORDER BY k COLLATE "C"
            ON CONFLICT (counter_key) DO NOTHING;
            PERFORM 1 FROM quota_counters WHERE counter_key = ANY (keys)
            ORDER BY counter_key COLLATE "C" FOR UPDATE;
            SELECT array_agg(COALESCE(c.count, 0) ORDER BY i.n) INTO used
            FROM unnest(keys) WITH ORDINALITY AS i (k, n)
            LEFT JOIN quota_counters c ON c.counter_key = i.k;
        """
}
