//! Compiles `proto/*.proto` with the pure-Rust `protox` compiler, so no system `protoc`
//! is needed, then generates the prost messages and tonic services from the descriptors.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The protocol files live at the repository top level, where the project keeps them.
    let files = ["../../proto/tfplugin6.proto", "../../proto/plugin.proto"];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(files, ["../../proto"])?;
    // Only tests talk to a provider as Terraform does; they turn on `testing`.
    let clients = std::env::var_os("CARGO_FEATURE_TESTING").is_some();
    tonic_prost_build::configure()
        .build_client(clients)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
