//! Every scenario in `scenarios/snapshots/*.toml` is a snapshot test: its
//! decoded descriptor traffic (under the filter of its `[snapshot]` table)
//! must equal `tests/snapshots/scenario_snapshots__trace@NAME.toml.snap`.
//! Adding a scenario file adds a test; `cargo insta review` accepts a change
//! (docs/snapshots.md).

#[test]
fn trace() {
    insta::glob!("../scenarios/snapshots", "*.toml", |path| {
        let text = verinic::snapshot::snapshot_file(path).unwrap();
        let lines = text.lines().count();
        assert!(lines <= 400, "{}: {lines} lines is too many to review: narrow its [snapshot] filter", path.display());
        insta::assert_snapshot!(text);
    });
}
