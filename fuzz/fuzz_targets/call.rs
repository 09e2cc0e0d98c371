#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| debitura_triage_fuzz::call_bytes(data));
