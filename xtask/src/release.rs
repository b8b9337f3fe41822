//! Release artifacts in the layout the Terraform Registry and private registries expect:
//! per platform `NAME_VERSION_OS_ARCH.zip` holding `NAME_vVERSION`, a manifest
//! declaring the protocol, `NAME_VERSION_SHA256SUMS` over the zips and the manifest, its
//! detached binary signature `…_SHA256SUMS.sig` (an RSA key: the registry refuses
//! others) and the ASCII-armoured public key beside them. Also the hashes Terraform
//! records in `.terraform.lock.hcl`: `zh:` (the archive's SHA-256) and `h1:` (a hash of
//! the files inside it).

use anyhow::{Context, bail};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The provider's type name; files are named `terraform-provider-outposts_…`.
pub const NAME: &str = "terraform-provider-outposts";
/// The plugin protocol the provider speaks, as the manifest and registry declare it.
pub const PROTOCOL: &str = "6.0";

/// A platform in Terraform's naming, e.g. `linux` / `amd64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
}

impl Platform {
    /// The platform this program runs on.
    pub fn host() -> Platform {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "arm" => "arm",
            other => other,
        };
        Platform {
            os: std::env::consts::OS.to_string(),
            arch: arch.to_string(),
        }
    }

    /// `linux_amd64`.
    pub fn key(&self) -> String {
        format!("{}_{}", self.os, self.arch)
    }
}

/// One platform's packaged provider.
#[derive(Debug, Clone)]
pub struct Archive {
    pub platform: Platform,
    pub path: PathBuf,
    /// `zh:` + the archive's SHA-256.
    pub zh: String,
    /// `h1:` + the hash of the files inside, as Terraform computes it.
    pub h1: String,
}

/// Everything a release consists of.
#[derive(Debug, Clone)]
pub struct Release {
    pub version: String,
    pub dir: PathBuf,
    pub archives: Vec<Archive>,
    pub manifest: PathBuf,
    pub sums: PathBuf,
    pub signature: PathBuf,
    pub public_key: PathBuf,
    /// The signing key's fingerprint; its last 16 hex digits are the key ID.
    pub fingerprint: String,
}

impl Release {
    pub fn key_id(&self) -> &str {
        &self.fingerprint[self.fingerprint.len().saturating_sub(16)..]
    }

    pub fn archive(&self, platform: &Platform) -> Option<&Archive> {
        self.archives.iter().find(|a| &a.platform == platform)
    }
}

pub fn zip_name(version: &str, platform: &Platform) -> String {
    format!("{NAME}_{version}_{}.zip", platform.key())
}

pub fn binary_name(version: &str, platform: &Platform) -> String {
    let exe = if platform.os == "windows" { ".exe" } else { "" };
    format!("{NAME}_v{version}{exe}")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `zh:` hash of an archive: its SHA-256.
pub fn zh_hash(archive: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(archive).with_context(|| format!("reading {}", archive.display()))?;
    Ok(format!("zh:{}", sha256_hex(&bytes)))
}

/// `h1:` hash of an archive as Terraform computes it (Go's dirhash Hash1): the SHA-256
/// of the lines `<sha256 hex>  <name>\n` of every file inside, sorted by name, in
/// base64.
pub fn h1_hash(archive: &Path) -> anyhow::Result<String> {
    let file =
        std::fs::File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let mut zip = zip::ZipArchive::new(file).context("reading the zip archive")?;
    let mut lines = Vec::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        if name.contains('\n') {
            bail!("file name with a newline in {}", archive.display());
        }
        let mut content = Vec::new();
        entry.read_to_end(&mut content)?;
        lines.push(format!("{}  {name}\n", sha256_hex(&content)));
    }
    lines.sort();
    let digest = Sha256::digest(lines.concat().as_bytes());
    Ok(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    ))
}

/// Writes `NAME_VERSION_OS_ARCH.zip` holding the binary as `NAME_vVERSION`, executable,
/// with a fixed timestamp so the same binary gives the same archive.
pub fn write_zip(
    binary: &Path,
    version: &str,
    platform: &Platform,
    dir: &Path,
) -> anyhow::Result<Archive> {
    let content = std::fs::read(binary).with_context(|| format!("reading {}", binary.display()))?;
    let path = dir.join(zip_name(version, platform));
    let file =
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755)
        .last_modified_time(zip::DateTime::default());
    zip.start_file(binary_name(version, platform), options)?;
    zip.write_all(&content)?;
    zip.finish()?;
    Ok(Archive {
        platform: platform.clone(),
        zh: zh_hash(&path)?,
        h1: h1_hash(&path)?,
        path,
    })
}

/// Who signs: a key in the user's keyring named by fingerprint, or a throwaway RSA
/// key generated into a temporary keyring for local use.
pub enum Signer {
    Keyring {
        fingerprint: String,
    },
    Throwaway {
        home: tempfile::TempDir,
        fingerprint: String,
    },
}

fn gpg(home: Option<&Path>) -> Command {
    let mut command = Command::new("gpg");
    command.args(["--batch", "--no-tty", "--quiet"]);
    if let Some(home) = home {
        command.arg("--homedir").arg(home);
    }
    command
}

fn run(mut command: Command, what: &str) -> anyhow::Result<Vec<u8>> {
    let output = command.output().with_context(|| {
        format!("{what}: could not run gpg (install GnuPG: it signs the release)")
    })?;
    if !output.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(output.stdout)
}

/// The primary key's fingerprint and public-key algorithm (1 is RSA) from
/// `gpg --with-colons --list-keys`.
fn key_info(home: Option<&Path>, name: &str) -> anyhow::Result<(String, String)> {
    let mut command = gpg(home);
    command.args(["--with-colons", "--fixed-list-mode", "--list-keys", name]);
    let listing = String::from_utf8(run(command, "listing the signing key")?)?;
    let mut algorithm = None;
    for line in listing.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.first() {
            Some(&"pub") if algorithm.is_none() => {
                algorithm = fields.get(3).map(|a| a.to_string());
            }
            Some(&"fpr") => {
                if let (Some(fpr), Some(algorithm)) = (fields.get(9), &algorithm) {
                    return Ok((fpr.to_string(), algorithm.clone()));
                }
            }
            _ => {}
        }
    }
    bail!("gpg lists no key named {name:?}")
}

impl Signer {
    /// `GPG_FINGERPRINT` from the environment when set, else a throwaway key.
    pub fn from_env_or_throwaway() -> anyhow::Result<Signer> {
        match std::env::var("GPG_FINGERPRINT")
            .ok()
            .filter(|f| !f.trim().is_empty())
        {
            Some(fingerprint) => Signer::keyring(fingerprint.trim()),
            None => Signer::throwaway(),
        }
    }

    /// A key of the user's keyring; refused unless it is RSA.
    pub fn keyring(name: &str) -> anyhow::Result<Signer> {
        let (fingerprint, algorithm) = key_info(None, name)?;
        if algorithm != "1" {
            bail!(
                "the key {fingerprint} is not an RSA key (gpg algorithm {algorithm}): the \
                 Terraform Registry accepts only RSA signing keys"
            );
        }
        Ok(Signer::Keyring { fingerprint })
    }

    /// A new RSA key in a temporary keyring, for local and test releases.
    pub fn throwaway() -> anyhow::Result<Signer> {
        let home = tempfile::Builder::new().prefix("release-gpg").tempdir()?;
        let mut command = gpg(Some(home.path()));
        command.args([
            "--passphrase",
            "",
            "--quick-generate-key",
            "terraform-provider-outposts local release <release@localhost>",
            "rsa3072",
            "sign",
            "never",
        ]);
        run(command, "generating a throwaway signing key")?;
        let (fingerprint, _) = key_info(Some(home.path()), "release@localhost")?;
        Ok(Signer::Throwaway { home, fingerprint })
    }

    fn home(&self) -> Option<&Path> {
        match self {
            Signer::Keyring { .. } => None,
            Signer::Throwaway { home, .. } => Some(home.path()),
        }
    }

    pub fn fingerprint(&self) -> &str {
        match self {
            Signer::Keyring { fingerprint } | Signer::Throwaway { fingerprint, .. } => fingerprint,
        }
    }

    /// A detached binary signature of `file` at `signature`.
    pub fn sign(&self, file: &Path, signature: &Path) -> anyhow::Result<()> {
        let mut command = gpg(self.home());
        command
            .args(["--yes", "--pinentry-mode", "loopback", "--passphrase", ""])
            .arg("--local-user")
            .arg(self.fingerprint())
            .arg("--output")
            .arg(signature)
            .arg("--detach-sign")
            .arg(file);
        run(command, "signing the checksums")?;
        Ok(())
    }

    /// The public key, ASCII-armoured.
    pub fn public_key(&self) -> anyhow::Result<String> {
        let mut command = gpg(self.home());
        command.args(["--armor", "--export", self.fingerprint()]);
        Ok(String::from_utf8(run(
            command,
            "exporting the public key",
        )?)?)
    }
}

impl Drop for Signer {
    /// A throwaway keyring's gpg-agent goes with it.
    fn drop(&mut self) {
        if let Signer::Throwaway { home, .. } = self {
            let _ = Command::new("gpgconf")
                .arg("--homedir")
                .arg(home.path())
                .args(["--kill", "all"])
                .output();
        }
    }
}

/// Packages `binaries` (one per platform) as release `version` in `dir` and signs it.
pub fn package(
    version: &str,
    binaries: &[(Platform, PathBuf)],
    dir: &Path,
    signer: &Signer,
) -> anyhow::Result<Release> {
    std::fs::create_dir_all(dir)?;
    let mut archives = Vec::new();
    for (platform, binary) in binaries {
        archives.push(write_zip(binary, version, platform, dir)?);
    }
    let manifest = dir.join(format!("{NAME}_{version}_manifest.json"));
    std::fs::write(&manifest, manifest_json())?;
    let mut sums = String::new();
    let mut listed: Vec<&Path> = archives.iter().map(|a| a.path.as_path()).collect();
    listed.push(&manifest);
    listed.sort();
    for path in listed {
        let bytes = std::fs::read(path)?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .context("artifact name")?;
        sums.push_str(&format!("{}  {name}\n", sha256_hex(&bytes)));
    }
    let sums_path = dir.join(format!("{NAME}_{version}_SHA256SUMS"));
    std::fs::write(&sums_path, sums)?;
    let signature = dir.join(format!("{NAME}_{version}_SHA256SUMS.sig"));
    signer.sign(&sums_path, &signature)?;
    let public_key = dir.join(format!("{NAME}_{version}_signing-key.asc"));
    std::fs::write(&public_key, signer.public_key()?)?;
    Ok(Release {
        version: version.to_string(),
        dir: dir.to_path_buf(),
        archives,
        manifest,
        sums: sums_path,
        signature,
        public_key,
        fingerprint: signer.fingerprint().to_string(),
    })
}

/// `terraform-registry-manifest.json`: the protocol versions the provider speaks.
pub fn manifest_json() -> String {
    format!(
        "{{\n  \"version\": 1,\n  \"metadata\": {{\n    \"protocol_versions\": [\"{PROTOCOL}\"]\n  }}\n}}\n"
    )
}

/// The toolchain targets for each platform a release may hold.
pub const TARGETS: [(&str, &str, &str); 5] = [
    ("linux", "amd64", "x86_64-unknown-linux-gnu"),
    ("linux", "arm64", "aarch64-unknown-linux-gnu"),
    ("darwin", "amd64", "x86_64-apple-darwin"),
    ("darwin", "arm64", "aarch64-apple-darwin"),
    ("windows", "amd64", "x86_64-pc-windows-gnu"),
];

/// `cargo xtask release`: builds the provider for this host and for the other
/// [`TARGETS`] whose toolchains are installed (unless `binary` is given, which is
/// packaged for this host instead) and packages a signed release into `out`.
pub fn build_and_package(out: &Path, binary: Option<&Path>) -> anyhow::Result<Release> {
    let root = crate::repo::root();
    let target_dir = crate::repo::target_dir();
    let host = Platform::host();
    let mut binaries = Vec::new();
    if let Some(binary) = binary {
        binaries.push((host.clone(), binary.to_path_buf()));
    } else {
        build(&root, None)?;
        binaries.push((host.clone(), target_dir.join("release").join(NAME)));
        let sysroot = String::from_utf8(
            Command::new("rustc")
                .args(["--print", "sysroot"])
                .output()?
                .stdout,
        )?;
        for (os, arch, triple) in TARGETS {
            let platform = Platform {
                os: os.into(),
                arch: arch.into(),
            };
            if platform == host {
                continue;
            }
            if !Path::new(sysroot.trim())
                .join("lib/rustlib")
                .join(triple)
                .is_dir()
            {
                println!(
                    "skipped {os}/{arch}: the {triple} target is not installed (rustup target add {triple})"
                );
                continue;
            }
            match build(&root, Some(triple)) {
                Ok(()) => {
                    let exe = if os == "windows" { ".exe" } else { "" };
                    binaries.push((
                        platform,
                        target_dir
                            .join(triple)
                            .join("release")
                            .join(format!("{}{exe}", NAME)),
                    ));
                }
                Err(error) => println!("skipped {os}/{arch}: {error:#}"),
            }
        }
    }
    let signer = Signer::from_env_or_throwaway()?;
    if matches!(signer, Signer::Throwaway { .. }) {
        println!("signing with a throwaway RSA key (set GPG_FINGERPRINT to sign with yours)");
    }
    let version = env!("CARGO_PKG_VERSION");
    let built = package(version, &binaries, out, &signer)?;
    for archive in &built.archives {
        println!("{}  {}", archive.h1, archive.path.display());
    }
    println!("{}", built.manifest.display());
    println!("{}", built.sums.display());
    println!("{}", built.signature.display());
    println!("{} (key ID {})", built.public_key.display(), built.key_id());
    Ok(built)
}

/// `cargo build --release` of the provider, for `target` or the host.
fn build(root: &Path, target: Option<&str>) -> anyhow::Result<()> {
    let mut command = Command::new(crate::repo::cargo());
    command
        .args(["build", "--release", "--locked", "--bin", NAME])
        .current_dir(root);
    let Some(target) = target else {
        // The host build is the release: show cargo's output as it goes.
        let status = command.status().context("running cargo build --release")?;
        if !status.success() {
            bail!("cargo build --release failed");
        }
        return Ok(());
    };
    command.args(["--target", target]);
    let output = command.output().context("running cargo build --release")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        bail!("cargo build --release failed: {last}");
    }
    Ok(())
}
