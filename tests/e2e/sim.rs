//! An in-process Outposts simulator for the end-to-end tests, and a Terraform
//! workspace pointed at it.

use crate::harness::Workspace;
use outposts_simulator::{
    self, FaultKind, FaultRule, Operation, SimulatorConfig, SimulatorHandle, TaskTiming,
};
use std::time::{Duration, Instant};

pub const OUTPOST: &str = "op-0123456789abcdef0";
pub const ORDER: &str = "oo-0123456789abcdef0";
pub const BUSY_OUTPOST: &str = "op-0aaaaaaaaaaaaaaa1";
pub const BUSY_ORDER: &str = "oo-0aaaaaaaaaaaaaaa1";

/// A simulator on 127.0.0.1:0 with its own runtime. Fields drop in order: the server
/// stops before its runtime.
pub struct Sim {
    pub handle: SimulatorHandle,
    runtime: tokio::runtime::Runtime,
}

impl Sim {
    pub fn start(config: SimulatorConfig) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let handle = runtime
            .block_on(outposts_simulator::start(config))
            .expect("simulator starts");
        Sim { handle, runtime }
    }

    /// Tasks complete quickly: 1 s requested, 2 s in progress.
    pub fn fast() -> Sim {
        Sim::start(SimulatorConfig {
            timing: Sim::fast_timing(),
            ..SimulatorConfig::default()
        })
    }

    /// The timing of [`Sim::fast`], for simulators with other settings too.
    pub fn fast_timing() -> TaskTiming {
        TaskTiming {
            requested: Duration::from_secs(1),
            in_progress: Duration::from_secs(2),
            cancellation: Duration::from_millis(500),
            ..TaskTiming::default()
        }
    }

    /// Tasks complete a second and a half after they start: 0.5 s requested, 1 s in
    /// progress.
    pub fn quick() -> Sim {
        Sim::start(SimulatorConfig {
            timing: TaskTiming {
                requested: Duration::from_millis(500),
                in_progress: Duration::from_secs(1),
                cancellation: Duration::from_millis(500),
                ..TaskTiming::default()
            },
            ..SimulatorConfig::default()
        })
    }

    /// Time stands still until the test advances it: tasks stay where they are.
    pub fn frozen() -> Sim {
        Sim::start(SimulatorConfig {
            frozen_clock: true,
            ..SimulatorConfig::default()
        })
    }

    /// A workspace whose provider talks to this simulator.
    pub fn workspace(&self, resources: &str) -> Workspace {
        let mut ws = Workspace::new(&format!(
            "provider \"outposts\" {{\n  region = \"us-west-2\"\n}}\n\n{resources}"
        ));
        ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", self.handle.endpoint());
        ws
    }

    /// A copy of the repository's `examples/` in which terraform runs in `subdir`,
    /// with its provider pointed at this simulator the way users point theirs: through
    /// the AWS_* environment variables.
    pub fn examples_workspace(&self, subdir: &str) -> Workspace {
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut ws = Workspace::copy_of(&examples, subdir);
        ws.set_env("AWS_ENDPOINT_URL_OUTPOSTS", self.handle.endpoint());
        ws
    }

    /// The ARN of the quickstart rack in this simulator's world.
    pub fn outpost_arn(&self) -> String {
        self.handle
            .world()
            .outposts
            .iter()
            .find(|o| o.outpost_id == OUTPOST)
            .map(|o| o.arn())
            .expect("the quickstart rack is seeded")
    }

    /// Runs terraform while moving the frozen clock forward in steps, once `ready`
    /// says the provider is waiting, and returns whether terraform succeeded.
    pub fn run_advancing(
        &self,
        ws: &Workspace,
        args: &[&str],
        ready: impl Fn(&Sim) -> bool,
    ) -> bool {
        let mut child = ws.command(args).spawn().expect("terraform starts");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().expect("terraform status") {
                return status.success();
            }
            assert!(
                Instant::now() < deadline,
                "terraform {args:?} did not finish"
            );
            if ready(self) {
                self.handle.advance_clock(Duration::from_secs(5));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The real `aws-sdk-outposts` client, over HTTP to this simulator, as someone
    /// outside Terraform would use it.
    fn api_client(&self) -> aws_sdk_outposts::Client {
        let config = aws_sdk_outposts::Config::builder()
            .behavior_version(aws_sdk_outposts::config::BehaviorVersion::latest())
            .region(aws_sdk_outposts::config::Region::new("us-west-2"))
            .credentials_provider(aws_sdk_outposts::config::Credentials::new(
                "AKIDTESTACCESSKEY01",
                "test-secret-key",
                None,
                None,
                "e2e",
            ))
            .endpoint_url(self.handle.endpoint())
            .build();
        aws_sdk_outposts::Client::from_conf(config)
    }

    /// Cancels a task the way someone outside Terraform would, through the API.
    pub fn cancel_through_the_api(&self, outpost: &str, task_id: &str) {
        let cancel = self
            .api_client()
            .cancel_capacity_task()
            .outpost_identifier(outpost)
            .capacity_task_id(task_id)
            .send();
        if let Err(e) = self.runtime.block_on(cancel) {
            panic!("CancelCapacityTask {outpost}/{task_id}: {e:?}");
        }
    }

    /// The status of a task as someone outside Terraform sees it: GetCapacityTask
    /// through the API.
    pub fn status_through_the_api(&self, outpost: &str, task_id: &str) -> String {
        let get = self
            .api_client()
            .get_capacity_task()
            .outpost_identifier(outpost)
            .capacity_task_id(task_id)
            .send();
        match self.runtime.block_on(get) {
            Ok(out) => out
                .capacity_task_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            Err(e) => panic!("GetCapacityTask {outpost}/{task_id}: {e:?}"),
        }
    }

    /// Starts a task on a server asset outside Terraform, through the API, and
    /// returns its ID.
    pub fn start_through_the_api(
        &self,
        outpost: &str,
        asset: &str,
        pools: &[(&str, u32)],
    ) -> String {
        let mut start = self
            .api_client()
            .start_capacity_task()
            .outpost_identifier(outpost)
            .asset_id(asset);
        for (instance_type, count) in pools {
            start = start.instance_pools(
                aws_sdk_outposts::types::InstanceTypeCapacity::builder()
                    .instance_type(*instance_type)
                    .count(*count as i32)
                    .build()
                    .expect("a complete pool"),
            );
        }
        match self.runtime.block_on(start.send()) {
            Ok(out) => out.capacity_task_id().expect("a task ID").to_string(),
            Err(e) => panic!("StartCapacityTask {outpost}/{asset}: {e:?}"),
        }
    }

    /// Makes the next `count` calls of `operation` meet `kind`.
    pub fn fault(&self, operation: Operation, kind: FaultKind, count: u32) {
        self.handle
            .inject_fault(FaultRule::next_calls(operation, kind, count))
            .expect("fault rule");
    }

    /// Checks that the simulator holds exactly one task and that it is the one in the
    /// workspace's state; returns that state.
    pub fn assert_the_only_task_is_in_state(&self, ws: &Workspace) -> serde_json::Value {
        let tasks = self.handle.tasks();
        assert_eq!(tasks.len(), 1, "exactly one task: {tasks:?}");
        let s = state(ws);
        assert_eq!(s["capacity_task_id"], tasks[0].capacity_task_id.as_str());
        s
    }

    pub fn count(&self, operation: &str) -> u64 {
        self.handle.request_count(operation)
    }

    /// Calls of StartCapacityTask that asked only for a dry run (they create no task).
    pub fn dry_runs(&self) -> u64 {
        self.count("StartCapacityTask") - self.handle.tasks().len() as u64
    }

    /// Waits (real time, at most 30 s) until the only task waits for evacuation, and
    /// returns its ID.
    pub fn wait_for_evacuation_wait(&self) -> String {
        self.wait_for_tasks(1, Duration::from_secs(30));
        let task_id = self.handle.tasks()[0].capacity_task_id.clone();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.handle.task(&task_id).map(|t| t.status)
            != Some(outposts_simulator::CapacityTaskStatus::WaitingForEvacuation)
        {
            assert!(
                Instant::now() < deadline,
                "the task never waited for evacuation"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        task_id
    }

    /// Applies the quickstart task with `layout` while the first StartCapacityTask
    /// answer is lost, and checks that exactly one task was started, that it is the one
    /// in state, and that it completed.
    pub fn apply_through_a_lost_start_answer(&self, layout: &[(&str, u32)]) {
        self.fault(Operation::StartCapacityTask, FaultKind::LoseResponse, 1);
        let ws = self.workspace(&task_config("", layout));
        ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        let s = self.assert_the_only_task_is_in_state(&ws);
        assert_eq!(s["status"], "COMPLETED");
    }

    /// Waits (real time) until the simulator holds `n` tasks.
    pub fn wait_for_tasks(&self, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.handle.tasks().len() < n {
            assert!(
                Instant::now() < deadline,
                "expected {n} tasks, have {:?}",
                self.handle.tasks()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A capacity task named `t` on the busy rack, whose running instances block the layout.
pub fn busy_config(action: &str) -> String {
    format!(
        "resource \"outposts_capacity_task\" \"t\" {{\n  outpost_identifier = \"{BUSY_OUTPOST}\"\n  order_id = \"{BUSY_ORDER}\"\n  task_action_on_blocking_instances = \"{action}\"\n  instance_pool {{\n    instance_type = \"c5.2xlarge\"\n    count = 12\n  }}\n}}\n"
    )
}

/// The `terraform` block requiring the provider from `source`, at `version` when given.
pub fn required_outposts(source: &str, version: Option<&str>) -> String {
    let version = version
        .map(|v| format!("\n      version = \"{v}\""))
        .unwrap_or_default();
    format!(
        "terraform {{\n  required_providers {{\n    outposts = {{\n      source  = \"{source}\"{version}\n    }}\n  }}\n}}\n"
    )
}

/// A capacity task resource named `t` with the given pools on the quickstart rack.
pub fn task_config(extra: &str, pools: &[(&str, u32)]) -> String {
    let pools: String = pools
        .iter()
        .map(|(t, c)| {
            format!(
                "  instance_pool {{\n    instance_type = \"{t}\"\n    count         = {c}\n  }}\n"
            )
        })
        .collect();
    format!(
        "resource \"outposts_capacity_task\" \"t\" {{\n  outpost_identifier = \"{OUTPOST}\"\n  order_id           = \"{ORDER}\"\n{extra}\n{pools}}}\n"
    )
}

/// The ID of the task in Terraform's state.
pub fn state_task_id(ws: &Workspace) -> String {
    state(ws)["capacity_task_id"]
        .as_str()
        .expect("task id in state")
        .to_string()
}

/// The resource's values in Terraform's state (`terraform show -json`).
pub fn state(ws: &Workspace) -> serde_json::Value {
    let run = ws.ok(&["show", "-json"]);
    let shown: serde_json::Value = serde_json::from_str(&run.stdout()).expect("show -json");
    shown["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["type"] == "outposts_capacity_task"))
        .map(|r| r["values"].clone())
        .unwrap_or(serde_json::Value::Null)
}
