/// The RAG tables and the SQL functions `PostgresMetadataFilter` compiles filters to (migration 1).
///
/// `rag_chunks.embedding` is an untyped `vector` with its length in `dimension`, so one table serves every
/// embedding model; HNSW indexes need a fixed dimension, so each dimension gets its own partial expression
/// index, created on its first use (see `PostgresVectorStore`).
///
/// The functions reproduce `MetadataFilter.matches` exactly on `jsonb`:
/// - `rag_float8(numeric)` is the `Double` a JSON number denotes, as Swift's `Double(text)` reads it:
///   ±Infinity beyond the largest double (from the rounding midpoint 2^1024 − 2^970 on), 0 below the smallest
///   (where PostgreSQL's own cast would raise an error instead).
/// - `rag_json_equal(a, b)`: JSON scalars of the same type, numbers by value (`jsonb` equality, or the same
///   finite double), strings and booleans exactly; a string never equals a number.
/// - `rag_json_matches(value, candidates)`: `value`, or any element of it (recursively) when it is an array,
///   equals one of the array `candidates`; false when `value` is SQL NULL (the field is missing).
enum PostgresRAGSchema {
    static let tables: [String] = [
        """
        CREATE TABLE rag_chunks (
            tenant text NOT NULL,
            index_name text NOT NULL,
            document_key text NOT NULL,
            chunk_index integer NOT NULL,
            text text NOT NULL,
            metadata jsonb NOT NULL,
            dimension integer NOT NULL,
            embedding vector NOT NULL,
            PRIMARY KEY (tenant, index_name, document_key, chunk_index),
            CHECK (vector_dims(embedding) = dimension)
        )
        """,
        """
        CREATE FUNCTION rag_float8(value numeric) RETURNS double precision
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT CASE
                WHEN abs(value) >= \(overflowMidpoint) THEN sign(value) * 'Infinity'::double precision
                WHEN abs(value) < 2.4703282292062328e-324 THEN 0::double precision
                ELSE value::double precision
            END
        $$
        """,
        """
        CREATE FUNCTION rag_json_equal(a jsonb, b jsonb) RETURNS boolean
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT CASE
                WHEN jsonb_typeof(a) <> jsonb_typeof(b) THEN false
                WHEN a = b THEN true
                WHEN jsonb_typeof(a) = 'number' THEN
                    rag_float8(a::numeric) = rag_float8(b::numeric)
                    AND abs(rag_float8(a::numeric)) <> 'Infinity'::double precision
                ELSE false
            END
        $$
        """,
        """
        CREATE FUNCTION rag_json_matches(value jsonb, candidates jsonb) RETURNS boolean
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE
            item jsonb;
        BEGIN
            IF value IS NULL THEN
                RETURN false;
            END IF;
            IF jsonb_typeof(value) = 'array' THEN
                FOR item IN SELECT jsonb_array_elements(value) LOOP
                    IF rag_json_matches(item, candidates) THEN
                        RETURN true;
                    END IF;
                END LOOP;
                RETURN false;
            END IF;
            FOR item IN SELECT jsonb_array_elements(candidates) LOOP
                IF rag_json_equal(value, item) THEN
                    RETURN true;
                END IF;
            END LOOP;
            RETURN false;
        END
        $$
        """,
    ]

    /// 2^1024 − 2^970: the smallest number that rounds to infinity as a double.
    static let overflowMidpoint =
        "17976931348623158079372897140530341507993413271003782693617377898044496829276475094664901797758720709633"
        + "02864166928879109465555478519404026306574886715058206819089020007083836762738548458177115317644757302700"
        + "69855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792"
}
