//! The journal's decisions, one row per situation a user meets. Provider processes are
//! simulated by journals with their own owner tokens; a process that exits drops its
//! journal, and with it its lock, as the kernel does for a process that dies.

use super::Journal;
use std::collections::HashMap;
use std::path::Path;

const T1: &str = "cap-00000000000000001";
const T2: &str = "cap-00000000000000002";
/// The same layout on the same Outpost (canonical form).
const R: &str = "op-0123456789abcdef0|m5.xlarge=5";
/// Another layout.
const R2: &str = "op-0123456789abcdef0|m5.xlarge=6";

#[derive(Clone, Copy, Debug)]
enum Step {
    /// Process `p` starts `task` for a request and notes it (its create holds it).
    Start(usize, &'static str, &'static str),
    /// Process `p` answers Terraform with `task`; whether Terraform had asked to stop.
    Answer(usize, &'static str, bool),
    /// Process `p` sees `task` in a prior state: plan (with or without refresh), read,
    /// update, delete or import.
    Seen(usize, &'static str),
    /// Process `p` exits, killed or done.
    Exit(usize),
    /// Process `p` creates a request; the task it adopts from the journal, if any.
    Create(usize, &'static str, Option<&'static str>),
}
use Step::*;

/// Where each process runs: its data directory and workspace.
type Processes = &'static [(&'static str, &'static str)];
const ONE_DIR: Processes = &[
    ("work", "default"),
    ("work", "default"),
    ("work", "default"),
];

struct Row {
    name: &'static str,
    processes: Processes,
    steps: &'static [Step],
}

const ROWS: &[Row] = &[
    Row {
        name: "provider killed before Terraform saved the task",
        processes: ONE_DIR,
        steps: &[Start(0, R, T1), Exit(0), Create(1, R, Some(T1))],
    },
    Row {
        name: "second Ctrl-C: answered after the stop, then Terraform exited",
        processes: ONE_DIR,
        steps: &[
            Start(0, R, T1),
            Answer(0, T1, true),
            Exit(0),
            Create(1, R, Some(T1)),
        ],
    },
    Row {
        name: "one Ctrl-C, saved; the next apply resumes, it does not adopt",
        processes: ONE_DIR,
        steps: &[
            Start(0, R, T1),
            Answer(0, T1, true),
            Exit(0),
            Seen(1, T1),
            Create(1, R, None),
        ],
    },
    Row {
        name: "replace with refresh (read, plan, delete see the old task)",
        processes: ONE_DIR,
        steps: &[
            Start(0, R, T1),
            Answer(0, T1, true),
            Exit(0),
            Seen(1, T1),
            Seen(1, T1),
            Seen(1, T1),
            Create(1, R, None),
        ],
    },
    Row {
        name: "replace with -refresh=false (only plan and delete see it)",
        processes: ONE_DIR,
        steps: &[
            Start(0, R, T1),
            Answer(0, T1, true),
            Exit(0),
            Seen(1, T1),
            Create(1, R, None),
        ],
    },
    Row {
        name: "replace in the same process as the apply that started it",
        processes: ONE_DIR,
        steps: &[
            Start(0, R, T1),
            Answer(0, T1, false),
            Seen(0, T1),
            Create(0, R, None),
        ],
    },
    Row {
        name: "state rm after a saved apply: never brought back",
        processes: ONE_DIR,
        steps: &[
            Start(0, R, T1),
            Answer(0, T1, false),
            Exit(0),
            Create(1, R, None),
        ],
    },
    Row {
        name: "identical siblings in one process, one still waiting",
        processes: ONE_DIR,
        steps: &[
            Start(0, R, T1),
            Create(0, R, None),
            Answer(0, T1, false),
            Create(0, R, None),
        ],
    },
    Row {
        name: "identical siblings under two provider processes (aliases)",
        processes: ONE_DIR,
        steps: &[Start(0, R, T1), Create(1, R, None), Create(2, R, None)],
    },
    Row {
        name: "two creates after a kill: one adopts, the other does not",
        processes: ONE_DIR,
        steps: &[
            Start(0, R, T1),
            Exit(0),
            Create(1, R, Some(T1)),
            Create(2, R, None),
        ],
    },
    Row {
        name: "two tasks lost by a kill: newest first, one each",
        processes: ONE_DIR,
        steps: &[
            Start(0, R, T1),
            Start(0, R, T2),
            Exit(0),
            Create(1, R, Some(T2)),
            Create(1, R, Some(T1)),
            Create(1, R, None),
        ],
    },
    Row {
        name: "a different layout is not adopted",
        processes: ONE_DIR,
        steps: &[Start(0, R, T1), Exit(0), Create(1, R2, None)],
    },
    Row {
        name: "a rival workspace in the same directory, then the right one",
        processes: &[("work", "blue"), ("work", "green"), ("work", "blue")],
        steps: &[
            Start(0, R, T1),
            Exit(0),
            Create(1, R, None),
            Create(2, R, Some(T1)),
        ],
    },
    Row {
        name: "a rival working directory",
        processes: &[("work", "default"), ("other", "default")],
        steps: &[Start(0, R, T1), Exit(0), Create(1, R, None)],
    },
];

fn run_row(root: &Path, row: &Row) {
    let mut alive: HashMap<usize, Journal> = HashMap::new();
    let mut exited: Vec<usize> = Vec::new();
    for (i, step) in row.steps.iter().enumerate() {
        let p = match *step {
            Start(p, ..) | Answer(p, ..) | Seen(p, _) | Exit(p) | Create(p, ..) => p,
        };
        assert!(
            !exited.contains(&p),
            "{}: step {i} uses process {p} after it exited",
            row.name
        );
        let journal = alive.entry(p).or_insert_with(|| {
            let (dir, workspace) = row.processes[p];
            Journal::open(&root.join(dir), workspace, format!("process-{p}"))
        });
        match *step {
            Start(_, request, task) => {
                assert!(journal.hold(request, task), "{}: step {i}", row.name)
            }
            Answer(_, task, stopped) => journal.answered(task, stopped),
            Seen(_, task) => journal.forget(task),
            Exit(_) => {
                alive.remove(&p);
                exited.push(p);
            }
            Create(_, request, expected) => {
                let adopted = journal.claim_unsaved(request);
                assert_eq!(
                    adopted.as_deref(),
                    expected,
                    "{}: step {i} ({step:?})",
                    row.name
                );
            }
        }
    }
}

#[test]
fn the_journal_adopts_only_what_terraform_never_saved() {
    for row in ROWS {
        let root = tempfile::tempdir().expect("temporary directory");
        run_row(root.path(), row);
    }
}

#[test]
fn of_many_concurrent_creates_exactly_one_adopts_a_note() {
    for round in 0..20 {
        let root = tempfile::tempdir().expect("temporary directory");
        {
            let killed = Journal::open(root.path(), "default", "killed".into());
            assert!(killed.hold(R, T1));
        }
        let adopted: Vec<Option<String>> = std::thread::scope(|scope| {
            let creates: Vec<_> = (0..8)
                .map(|p| {
                    let root = root.path();
                    scope.spawn(move || {
                        let journal = Journal::open(root, "default", format!("create-{p}"));
                        let claimed = journal.claim_unsaved(R);
                        // Stay alive until every create has looked: a note this
                        // process made its own must not be taken by another.
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        claimed
                    })
                })
                .collect();
            creates
                .into_iter()
                .map(|c| c.join().expect("a create panicked"))
                .collect()
        });
        let winners = adopted.iter().flatten().count();
        assert_eq!(winners, 1, "round {round}: {adopted:?}");
    }
}

#[test]
fn one_process_never_hands_a_task_to_two_instances() {
    let root = tempfile::tempdir().expect("temporary directory");
    let journal = Journal::open(root.path(), "default", "p".into());
    assert!(journal.may_hold(T1));
    assert!(journal.taken().is_empty());
    assert!(journal.hold(R, T1));
    assert!(!journal.may_hold(T1));
    assert!(journal.taken().contains(T1));
    assert!(!journal.hold(R, T1), "a second instance must not get T1");
    journal.answered(T1, false);
    assert!(!journal.hold(R, T1), "not after the answer either");
    // Another live process noted T2: not ours to take.
    let other = Journal::open(root.path(), "default", "q".into());
    assert!(other.hold(R, T2));
    assert!(!journal.may_hold(T2));
    assert!(
        journal.taken().contains(T2),
        "the search for our own task passes it over"
    );
    assert!(!journal.hold(R, T2));
    drop(other);
    assert!(journal.may_hold(T2), "its owner exited");
    assert!(!journal.taken().contains(T2));
}

#[test]
fn workspace_names_become_safe_folder_names() {
    assert_eq!(super::folder_name("default"), "default");
    assert_eq!(super::folder_name("team-a_1.prod"), "team-a_1.prod");
    assert_eq!(super::folder_name("../x"), "%2E.%2Fx");
    assert_eq!(super::folder_name("a b/c"), "a%20b%2Fc");
}
