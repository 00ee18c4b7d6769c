//! Builds the admin UI (`admin-ui/` → `admin-ui/dist`) when Node.js and npm
//! are installed, so that `cargo run` serves it at `/` with no second step.
//!
//! The UI is optional for the binary: without npm, or when its build fails,
//! this prints a warning and the server says at `/` how to get the UI. Set
//! `LEADFORGE_SKIP_UI_BUILD=1` to skip it. The build runs only when a source
//! of the UI is newer than its last build.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::SystemTime,
};

/// Inputs of the UI build, relative to `admin-ui/`.
const INPUTS: [&str; 9] = [
    "package.json",
    "package-lock.json",
    "index.html",
    "graphiql.html",
    "src",
    "public",
    "vite.config.ts",
    "tsconfig.json",
    "codegen.ts",
];

/// Directories of generated files, which a build rewrites.
const GENERATED: [&str; 3] = ["gql", "generated", "__generated__"];

fn main() {
    println!("cargo:rerun-if-env-changed=LEADFORGE_SKIP_UI_BUILD");
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../admin-ui");
    // Printed before anything can return, so that a UI added later makes
    // cargo run this again. Inputs are listed file by file: a directory
    // would be watched whole, generated files and the build output
    // included, and every build would then rebuild this crate.
    println!(
        "cargo:rerun-if-changed={}",
        ui.join("package.json").display()
    );
    if !ui.join("package.json").is_file() {
        return;
    }
    for input in INPUTS {
        for file in files_in(&ui.join(input)) {
            println!("cargo:rerun-if-changed={}", file.display());
        }
    }
    let contract = ui.join("../tests/contract.graphql");
    println!("cargo:rerun-if-changed={}", contract.display());
    // The codegen reads these beside the contract.
    let additions = ui.join("../tests/contract-additions.graphql");
    println!("cargo:rerun-if-changed={}", additions.display());
    if std::env::var_os("LEADFORGE_SKIP_UI_BUILD").is_some_and(|v| !v.is_empty() && v != "0") {
        return;
    }

    let built = modified(&ui.join("dist/index.html"));
    let mut newest = modified(&contract).max(modified(&additions));
    for input in INPUTS {
        newest = newest.max(newest_in(&ui.join(input)));
    }
    if built.is_some() && built >= newest {
        return;
    }

    if Command::new("npm").arg("--version").output().is_err() {
        println!(
            "cargo:warning=npm was not found: the admin UI is not built (the API works; install Node.js 20+ with npm and build again)"
        );
        return;
    }
    let lock = ui.join("package-lock.json");
    let installed = ui.join("node_modules/.package-lock.json");
    let stale = modified(&installed).is_none() || modified(&installed) < modified(&lock);
    if stale && let Err(e) = run(&ui, &["ci", "--no-audit", "--no-fund"]) {
        println!("cargo:warning=installing the admin UI's packages failed: {e}");
        return;
    }
    if let Err(e) = run(&ui, &["run", "build"]) {
        println!("cargo:warning=building the admin UI failed: {e}");
    }
}

fn run(dir: &Path, args: &[&str]) -> Result<(), String> {
    let output = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = text.lines().rev().take(15).collect();
    Err(format!(
        "`npm {}` exited with {}: {}",
        args.join(" "),
        output.status,
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    ))
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The files at `path` (itself, or those under it, generated directories
/// left out).
fn files_in(path: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = vec![path.to_path_buf()];
    while let Some(path) = pending.pop() {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            let generated = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| GENERATED.contains(&n));
            if !generated && let Ok(entries) = std::fs::read_dir(&path) {
                pending.extend(entries.flatten().map(|e| e.path()));
            }
        } else {
            files.push(path);
        }
    }
    files
}

/// The newest modification time of the files at `path`.
fn newest_in(path: &Path) -> Option<SystemTime> {
    files_in(path).iter().filter_map(|f| modified(f)).max()
}
