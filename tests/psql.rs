//! The real `psql` binary runs each script `tests/psql/<scenario>.sql` against `dsql start`;
//! its output must match the expected transcript `tests/psql/<scenario>.out`.
//!
//! The transcripts are PostgreSQL 15's own output for the same scripts, except where dsql
//! deliberately differs (DSQL's isolation level is `repeatable read`), or does not yet send what
//! PostgreSQL sends (error cursor positions, the NOTICE of `DROP TABLE IF EXISTS`). To
//! regenerate after a deliberate change, run with `UPDATE_EXPECT=1` and review the diff.

mod common;

#[test]
fn psql_scripts_match_expected_transcripts() {
    if std::process::Command::new("psql")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("psql is required for this test (apt-get install postgresql-client)");
    }
    let manifest = env!("CARGO_MANIFEST_DIR");
    let mut scripts: Vec<String> =
        std::fs::read_dir(std::path::Path::new(manifest).join("tests/psql"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|name| name.strip_suffix(".sql").map(str::to_string))
            .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no tests/psql/*.sql scripts");
    for scenario in scripts {
        run_scenario(manifest, &scenario);
    }
}

/// Runs `tests/psql/<scenario>.sql` through psql against a fresh server and compares the
/// transcript.
fn run_scenario(manifest: &str, scenario: &str) {
    let dir = tempfile::tempdir().unwrap();
    let server = common::Binary::start(dir.path());
    // One file for stdout and stderr keeps errors interleaved with the statements, as on a
    // terminal.
    let transcript = dir.path().join("transcript.out");
    let file = std::fs::File::create(&transcript).unwrap();
    let status = std::process::Command::new("psql")
        .current_dir(manifest)
        .args(["-X", "-a", "-f"])
        .arg(format!("tests/psql/{scenario}.sql"))
        .arg(server.conninfo())
        .env("PGPASSWORD", &server.password)
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .expect("run psql");
    assert!(status.success(), "psql exited with {status}");
    let actual = std::fs::read_to_string(&transcript).unwrap();
    let expected_path = std::path::Path::new(manifest).join(format!("tests/psql/{scenario}.out"));
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap();
    if actual != expected {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(10)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "psql transcript differs from tests/psql/{scenario}.out:\n{}\n--- full output ---\n{actual}",
            diff.join("\n")
        );
    }
}
