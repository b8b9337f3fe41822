//! The same sequences against tfplugin's `notes` example, whose notes are JSON files in
//! the directory its provider block names: the framework, not one provider, makes them
//! work.

use super::driver::Driver;
use super::scenarios::{self, Query};
use serde_json::{Value as Json, json};

const NOTE: &str = "notes_note";
const ARCHIVE: &str = "notes_archive";

/// A notes directory holding `notes`, written as the example writes them, and the
/// example configured to keep its notes there.
async fn notes_provider(notes: &[Json]) -> (tempfile::TempDir, Driver) {
    let dir = test_support::scratch_dir();
    for note in notes {
        let id = note["id"].as_str().expect("an id");
        let file = dir.path().join(format!("{id}.json"));
        std::fs::write(file, serde_json::to_vec_pretty(note).expect("JSON")).expect("write note");
    }
    let mut p = Driver::start(&test_support::workspace_example("notes"), &[]).await;
    let directory = dir.path().display().to_string();
    p.configure(json!({ "directory": directory })).await;
    (dir, p)
}

fn note(id: &str, title: &str, tags: &[&str]) -> Json {
    json!({
        "id": id,
        "title": title,
        "body": format!("The body of {title}."),
        "format": "plain",
        "tags": tags,
        "timeouts": null,
    })
}

fn directory(dir: &tempfile::TempDir) -> String {
    dir.path().display().to_string()
}

#[tokio::test]
async fn a_note_imported_by_identity_is_read_and_planned_unchanged_like_one_imported_by_id() {
    let (dir, mut p) = notes_provider(&[note("groceries", "Groceries", &["home"])]).await;
    let read = scenarios::import_by_identity_plans_no_change(
        &mut p,
        NOTE,
        json!({ "id": "groceries" }),
        "groceries",
    )
    .await;
    let state = p.state_json(NOTE, &read.state);
    assert_eq!(state["title"], "Groceries", "{state:#}");
    assert_eq!(state["tags"], json!(["home"]), "{state:#}");
    let identity = p.identity_json(NOTE, read.identity.as_ref().expect("an identity"));
    assert_eq!(
        identity,
        json!({ "id": "groceries", "directory": directory(&dir) })
    );

    let without_id = json!({ "directory": directory(&dir) });
    scenarios::import_by_identity_refused(&mut p, NOTE, without_id, "id").await;
    let elsewhere = json!({ "id": "groceries", "directory": "/elsewhere" });
    scenarios::import_by_identity_refused(&mut p, NOTE, elsewhere, "directory").await;
}

#[tokio::test]
async fn terraform_query_lists_notes_and_writes_config_for_them() {
    let (dir, mut p) = notes_provider(&[
        note("draft-one", "Draft one", &[]),
        note("draft-two", "Draft two", &["work"]),
        note("final", "Final", &[]),
    ])
    .await;
    let listed = scenarios::query_lists_and_generates_config(
        &mut p,
        Query {
            type_name: NOTE,
            config: json!({ "title_prefix": "Draft" }),
            at_least: 2,
            bad_config: json!({ "title_prefix": "" }),
            bad_path: &["title_prefix"],
        },
    )
    .await;
    let names: Vec<&str> = listed.iter().map(|l| l.display_name.as_str()).collect();
    assert_eq!(names, ["Draft one", "Draft two"]);
    let identities: Vec<Json> = listed
        .iter()
        .map(|l| p.identity_json(NOTE, l.identity.as_ref().expect("an identity")))
        .collect();
    let directory = directory(&dir);
    assert_eq!(
        identities,
        [
            json!({ "id": "draft-one", "directory": directory }),
            json!({ "id": "draft-two", "directory": directory }),
        ]
    );
    let all = p.list(NOTE, json!({}), false, 100).await;
    assert_eq!(all.len(), 3, "{all:#?}");
}

#[tokio::test]
async fn the_archive_action_streams_its_steps_and_refuses_a_missing_note() {
    let (dir, mut p) = notes_provider(&[note("old", "Old", &["home"])]).await;
    let progress = scenarios::action_completes(&mut p, ARCHIVE, json!({ "note_id": "old" })).await;
    assert_eq!(
        progress,
        [
            "Reading note old",
            "Writing note old with the tag \"archived\"",
            "Archived note old",
        ]
    );
    let file = std::fs::read(dir.path().join("old.json")).expect("the note's file");
    let stored: Json = serde_json::from_slice(&file).expect("JSON");
    assert_eq!(stored["tags"], json!(["home", "archived"]), "{stored:#}");

    let failed = scenarios::action_fails(&mut p, ARCHIVE, json!({ "note_id": "nothing" })).await;
    assert!(
        failed.iter().any(|e| e.contains("No such note")),
        "{failed:#?}"
    );
}

#[tokio::test]
async fn a_notes_identity_stored_in_an_older_shape_is_upgraded() {
    let (dir, mut p) = notes_provider(&[]).await;
    let directory = directory(&dir);
    scenarios::identity_upgrades(
        &mut p,
        NOTE,
        0,
        json!({ "id": "groceries", "directory": directory, "title": "Groceries" }),
        json!({ "id": "groceries", "directory": directory }),
    )
    .await;
}
