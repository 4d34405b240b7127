fn main() {
    std::process::exit(routewarden::cli::main());
}
