//! Arbitrary bytes as a project of up to sixteen files, so that imports, apps, routers and
//! settings cross files: a line `#> pkg/views.py` starts the file `pkg/views.py` (text before
//! the first such line is `app.py`). See `src/lib.rs` for the format and what counts as a
//! crash.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    routewarden_fuzz::analyze_project(&routewarden_fuzz::split_project(data));
});
