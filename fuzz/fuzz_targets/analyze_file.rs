//! Arbitrary bytes as one Python file (`app.py`), analysed end to end with every rule and
//! every report rendered. See `src/lib.rs` for what counts as a crash.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    routewarden_fuzz::analyze_project(&[(routewarden_fuzz::DEFAULT_FILE.to_string(), data)]);
});
