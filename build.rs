fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        // Element ids and accessible labels for UI tests; harmless in release builds.
        .with_debug_info(true);
    if let Err(e) = slint_build::compile_with_config(
        "ui/app.slint",
        config.with_bundled_translations("ui/translations"),
    ) {
        panic!("cannot compile the Slint UI: {e}");
    }
}
