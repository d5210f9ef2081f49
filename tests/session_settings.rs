//! Settings that take effect, as in PostgreSQL (expected answers taken from PostgreSQL 15):
//! `SET TimeZone` changes how timestamptz values are read and shown, `current_schema()`
//! follows `search_path`, `statement_timestamp()` and `clock_timestamp()` differ from
//! `now()`, and LIKE runs in linear time with PostgreSQL's escapes.

mod common;

use common::{connect, fails, script, start};
use tokio_postgres::{Client, SimpleQueryMessage};

/// The first column of every row of a simple query, as text.
async fn texts(c: &Client, sql: &str) -> Vec<Option<String>> {
    c.simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r.get(0).map(String::from)),
            _ => None,
        })
        .collect()
}

async fn text(c: &Client, sql: &str) -> String {
    texts(c, sql)
        .await
        .remove(0)
        .unwrap_or_else(|| "NULL".into())
}

#[tokio::test]
async fn time_zone_changes_timestamptz_input_and_output() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(&c, "CREATE TABLE ev (id int PRIMARY KEY, at timestamptz)")
        .await
        .unwrap();
    c.batch_execute("SET TimeZone = 'europe/paris'")
        .await
        .unwrap();
    assert_eq!(text(&c, "SHOW TimeZone").await, "Europe/Paris");
    for (sql, want) in [
        (
            "SELECT '2024-07-01 12:00'::timestamptz",
            "2024-07-01 12:00:00+02",
        ),
        (
            "SELECT '2024-07-01 12:00+00'::timestamptz",
            "2024-07-01 14:00:00+02",
        ),
        (
            "SELECT TIMESTAMPTZ '2024-01-15 08:00'",
            "2024-01-15 08:00:00+01",
        ),
        (
            "SELECT '2024-01-01 00:30'::timestamp::timestamptz",
            "2024-01-01 00:30:00+01",
        ),
        (
            "SELECT '2024-01-01 00:30+00'::timestamptz::date",
            "2024-01-01",
        ),
        (
            "SELECT '2024-01-01 00:30+00'::timestamptz::timestamp",
            "2024-01-01 01:30:00",
        ),
        (
            "SELECT '2024-07-01 12:00+00'::timestamptz::text",
            "2024-07-01 14:00:00+02",
        ),
        (
            "SELECT 'x' || '2024-07-01 12:00+00'::timestamptz",
            "x2024-07-01 14:00:00+02",
        ),
    ] {
        assert_eq!(text(&c, sql).await, want, "{sql}");
    }
    // Stored as an instant: written in Paris, read back in UTC and in New York.
    c.batch_execute("INSERT INTO ev VALUES (1, '2024-07-01 12:00')")
        .await
        .unwrap();
    c.batch_execute("SET TimeZone = 'UTC'").await.unwrap();
    assert_eq!(
        text(&c, "SELECT at FROM ev WHERE id = 1").await,
        "2024-07-01 10:00:00+00"
    );
    c.batch_execute("SET TIME ZONE 'America/New_York'")
        .await
        .unwrap();
    assert_eq!(
        text(&c, "SELECT at FROM ev WHERE id = 1").await,
        "2024-07-01 06:00:00-04"
    );
    // Daylight-saving edges as PostgreSQL reads them.
    assert_eq!(
        text(&c, "SELECT '2024-03-10 02:30'::timestamptz").await,
        "2024-03-10 03:30:00-04"
    );
    assert_eq!(
        text(&c, "SELECT '2024-11-03 01:30'::timestamptz").await,
        "2024-11-03 01:30:00-05"
    );
    // The binary format carries the instant, whatever the zone.
    let at: chrono::DateTime<chrono::Utc> = c
        .query_one("SELECT at FROM ev WHERE id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(at.to_rfc3339(), "2024-07-01T10:00:00+00:00");
    // A plan made before SET TimeZone still reads text in the zone of the moment.
    let stmt = c
        .prepare("SELECT '2024-07-01 12:00'::timestamptz = $1")
        .await
        .unwrap();
    let noon_utc: chrono::DateTime<chrono::Utc> = "2024-07-01T12:00:00Z".parse().unwrap();
    c.batch_execute("SET TimeZone = 'UTC'").await.unwrap();
    assert!(
        c.query_one(&stmt, &[&noon_utc])
            .await
            .unwrap()
            .get::<_, bool>(0)
    );
    c.batch_execute("SET TimeZone = 'Asia/Tokyo'")
        .await
        .unwrap();
    assert!(
        !c.query_one(&stmt, &[&noon_utc])
            .await
            .unwrap()
            .get::<_, bool>(0)
    );
}

/// Constant folding never freezes what a prepared plan must compute again: parameters take
/// each execution's values, and a cast that reads the time zone is done in the zone of the
/// moment, while the constants around them are folded once.
#[tokio::test]
async fn folded_prepared_plans_follow_parameters_and_time_zone() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE TABLE fp (id int PRIMARY KEY, v int);
         INSERT INTO fp VALUES (1, 10), (2, 20), (3, 30)",
    )
    .await
    .unwrap();
    // `1 + 1` folds; `$1 + 1` does not.
    let stmt = c
        .prepare("SELECT v FROM fp WHERE id = $1 + (2 - 1) * 1")
        .await
        .unwrap();
    for (param, want) in [(0, Some(10)), (1, Some(20)), (2, Some(30)), (3, None)] {
        let rows = c.query(&stmt, &[&param]).await.unwrap();
        let got = rows.first().map(|r| r.get::<_, i32>(0));
        assert_eq!(got, want, "$1 = {param}");
    }
    // A timestamp → timestamptz cast of a constant is not folded: the plan reads it in the
    // session's zone at each execution.
    let stmt = c
        .prepare("SELECT ('2024-07-01 ' || '12:00')::timestamp::timestamptz = $1 AND 1 + 1 = 2")
        .await
        .unwrap();
    let noon_utc: chrono::DateTime<chrono::Utc> = "2024-07-01T12:00:00Z".parse().unwrap();
    c.batch_execute("SET TimeZone = 'UTC'").await.unwrap();
    assert!(
        c.query_one(&stmt, &[&noon_utc])
            .await
            .unwrap()
            .get::<_, bool>(0)
    );
    c.batch_execute("SET TimeZone = 'Asia/Tokyo'")
        .await
        .unwrap();
    assert!(
        !c.query_one(&stmt, &[&noon_utc])
            .await
            .unwrap()
            .get::<_, bool>(0)
    );
    let nine_utc: chrono::DateTime<chrono::Utc> = "2024-07-01T03:00:00Z".parse().unwrap();
    assert!(
        c.query_one(&stmt, &[&nine_utc])
            .await
            .unwrap()
            .get::<_, bool>(0)
    );
    // The text form of a timestamptz is the session's too.
    let stmt = c
        .prepare("SELECT '2024-07-01 12:00+00'::timestamptz::text || ''")
        .await
        .unwrap();
    c.batch_execute("SET TimeZone = 'UTC'").await.unwrap();
    let shown: String = c.query_one(&stmt, &[]).await.unwrap().get(0);
    assert_eq!(shown, "2024-07-01 12:00:00+00");
    c.batch_execute("SET TimeZone = 'Asia/Tokyo'")
        .await
        .unwrap();
    let shown: String = c.query_one(&stmt, &[]).await.unwrap().get(0);
    assert_eq!(shown, "2024-07-01 21:00:00+09");
}

#[tokio::test]
async fn time_zone_settings_are_checked_and_shown_as_postgresql_does() {
    let t = start().await;
    let c = connect(&t.server).await;
    for (set, shown, sample) in [
        ("SET TIME ZONE -7", "<-07>+07", "2024-07-01 05:00:00-07"),
        (
            "SET TIME ZONE 5.5",
            "<+05:30>-05:30",
            "2024-07-01 17:30:00+05:30",
        ),
        ("SET TimeZone = 'EST+5'", "EST+5", "2024-07-01 07:00:00-05"),
        ("SET TimeZone = 'utc'", "UTC", "2024-07-01 12:00:00+00"),
    ] {
        c.batch_execute(set).await.unwrap();
        assert_eq!(text(&c, "SHOW TimeZone").await, shown, "{set}");
        assert_eq!(
            text(&c, "SELECT '2024-07-01 12:00+00'::timestamptz").await,
            sample,
            "{set}"
        );
    }
    assert_eq!(
        fails(&c, "SET TimeZone = 'Mars/Base'").await,
        (
            "22023".into(),
            "invalid value for parameter \"TimeZone\": \"Mars/Base\"".into()
        )
    );
    assert_eq!(text(&c, "SHOW TimeZone").await, "UTC");
    c.batch_execute("SET TIME ZONE 'Europe/Paris'; RESET TimeZone")
        .await
        .unwrap();
    assert_eq!(text(&c, "SHOW TimeZone").await, "UTC");
}

#[tokio::test]
async fn current_schema_follows_search_path() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(&c, "CREATE SCHEMA app").await.unwrap();
    assert_eq!(text(&c, "SELECT current_schema()").await, "public");
    for (path, want) in [
        ("app, public", "app"),
        ("nosuch, public", "public"),
        ("nosuch", "NULL"),
        ("\"$user\", app", "app"),
        ("public, app", "public"),
    ] {
        c.batch_execute(&format!("SET search_path = {path}"))
            .await
            .unwrap();
        assert_eq!(text(&c, "SELECT current_schema()").await, want, "{path}");
        assert_eq!(text(&c, "SELECT current_schema").await, want, "{path}");
    }
}

#[tokio::test]
async fn statement_and_clock_timestamps_differ_from_now_as_in_postgresql() {
    let t = start().await;
    let c = connect(&t.server).await;
    // Autocommit: the statement is the transaction.
    assert_eq!(text(&c, "SELECT now() = statement_timestamp()").await, "t");
    assert_eq!(
        text(&c, "SELECT clock_timestamp() >= statement_timestamp()").await,
        "t"
    );
    // In a block, now() stays and statement_timestamp() moves on with each statement.
    c.batch_execute("BEGIN").await.unwrap();
    let first_now = text(&c, "SELECT now()").await;
    let first_statement = text(&c, "SELECT statement_timestamp()").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(text(&c, "SELECT now()").await, first_now);
    assert_eq!(text(&c, "SELECT statement_timestamp() > now()").await, "t");
    let second_statement = text(&c, "SELECT statement_timestamp()").await;
    assert!(
        second_statement > first_statement,
        "{second_statement} > {first_statement}"
    );
    assert_eq!(
        text(&c, "SELECT transaction_timestamp() = now()").await,
        "t"
    );
    c.batch_execute("COMMIT").await.unwrap();
}

#[tokio::test]
async fn like_runs_in_linear_time_with_postgresqls_escapes() {
    let t = start().await;
    let c = connect(&t.server).await;
    // A backtracking matcher takes exponential time on this one.
    let pattern = format!("{}c", "%a".repeat(20));
    assert_eq!(
        text(&c, &format!("SELECT repeat('a', 40) LIKE '{pattern}'")).await,
        "f"
    );
    assert_eq!(
        text(
            &c,
            &format!(
                "SELECT repeat('a', 40) || 'c' ILIKE '{}'",
                pattern.to_uppercase()
            )
        )
        .await,
        "t"
    );
    for (sql, want) in [
        ("SELECT 'a%' LIKE 'a!%' ESCAPE '!'", "t"),
        ("SELECT 'ab' LIKE 'a!%' ESCAPE '!'", "f"),
        ("SELECT 'a\\' LIKE 'a\\' ESCAPE ''", "t"),
        ("SELECT '50%' LIKE '50\\%'", "t"),
        ("SELECT 'x_y' NOT LIKE 'x\\_y'", "f"),
    ] {
        assert_eq!(text(&c, sql).await, want, "{sql}");
    }
    assert_eq!(
        fails(&c, "SELECT 'abc' LIKE 'ab\\'").await,
        (
            "22025".into(),
            "LIKE pattern must not end with escape character".into()
        )
    );
    assert_eq!(
        fails(&c, "SELECT 'a' LIKE 'a' ESCAPE 'ab'").await,
        ("22019".into(), "invalid escape string".into())
    );
}
