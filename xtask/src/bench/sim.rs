//! The simulator binary as the benchmarks run it: a world of many racks, its control
//! API for request counts and task dates, spoken over a plain HTTP/1.1 connection.

use anyhow::{Context, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `outposts-simulator`, killed on drop.
pub struct Simulator {
    child: Child,
    addr: String,
}

/// The built-in world with its first rack copied `racks` times under new IDs, as
/// `outposts-simulator --seed` reads it.
pub fn seed_with_racks(simulator: &Path, racks: usize) -> anyhow::Result<Value> {
    let out = Command::new(simulator)
        .arg("--print-default-seed")
        .output()
        .with_context(|| format!("could not run {}", simulator.display()))?;
    if !out.status.success() {
        bail!("{} --print-default-seed failed", simulator.display());
    }
    let mut seed: Value = serde_json::from_slice(&out.stdout).context("the default seed")?;
    let template = seed["outposts"][0].clone();
    let outposts: Vec<Value> = (0..racks)
        .map(|i| {
            let mut rack = template.clone();
            rack["outpost_id"] = rack_id(i).into();
            rack["name"] = format!("rack-{i}").into();
            rack["orders"] = vec![order_id(i)].into();
            rack["running_instances"] = Value::Array(Vec::new());
            if let Some(assets) = rack["assets"].as_array_mut() {
                for (j, asset) in assets.iter_mut().enumerate() {
                    asset["asset_id"] =
                        format!("{:010}", 4_000_000_000u64 + (i * 10 + j) as u64).into();
                    asset["host_id"] = Value::Null;
                }
            }
            rack
        })
        .collect();
    seed["outposts"] = outposts.into();
    Ok(seed)
}

pub fn rack_id(i: usize) -> String {
    format!("op-{:017x}", 0x100 + i)
}

pub fn order_id(i: usize) -> String {
    format!("oo-{:017x}", 0x100 + i)
}

impl Simulator {
    /// Starts the simulator on a loopback port with `seed` and the extra flags.
    pub fn start(binary: &Path, seed: &Path, flags: &[&str]) -> anyhow::Result<Simulator> {
        let mut child = Command::new(binary)
            .arg("--seed")
            .arg(seed)
            .arg("--quiet")
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {}", binary.display()))?;
        let line = super::startup::first_line(child.stdout.take(), Duration::from_secs(30))
            .unwrap_or_default();
        let addr = line
            .trim()
            .strip_prefix("outposts-simulator listening on http://")
            .map(str::to_string);
        let Some(addr) = addr else {
            let _ = child.kill();
            bail!("the simulator did not say where it listens: {line:?}");
        };
        Ok(Simulator { child, addr })
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Calls per API operation since the last reset.
    pub fn counts(&self) -> anyhow::Result<BTreeMap<String, u64>> {
        Ok(serde_json::from_value(self.call("GET", "/_sim/counts")?)?)
    }

    pub fn reset_counts(&self) -> anyhow::Result<()> {
        self.call("DELETE", "/_sim/counts").map(|_| ())
    }

    /// Every task the simulator holds.
    pub fn tasks(&self) -> anyhow::Result<Vec<Value>> {
        Ok(serde_json::from_value(self.call("GET", "/_sim/tasks")?)?)
    }

    fn call(&self, method: &str, path: &str) -> anyhow::Result<Value> {
        let mut stream = TcpStream::connect(&self.addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            self.addr
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let (head, body) = response
            .split_once("\r\n\r\n")
            .context("a response without a body")?;
        if !head.starts_with("HTTP/1.1 200") {
            bail!(
                "{method} {path}: {}",
                head.lines().next().unwrap_or_default()
            );
        }
        serde_json::from_str(body).with_context(|| format!("{method} {path}: {body:?}"))
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
