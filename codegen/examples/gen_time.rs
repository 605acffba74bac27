fn main() {
    let spec = std::path::PathBuf::from(std::env::args().nth(1).expect("a spec folder"));
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let sources = codegen::spec::read(&spec).unwrap();
        let read = t.elapsed();
        let g = codegen::generate_from_sources(sources, &codegen::Reserved::default()).unwrap();
        println!("read {:?} total {:?} files {}", read, t.elapsed(), g.files.len());
    }
}
