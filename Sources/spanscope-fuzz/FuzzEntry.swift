import Foundation

/// libFuzzer's entry point. Built with `-sanitize=fuzzer` (see `.ci/fuzz`), libFuzzer
/// supplies `main` and calls this with each input it makes.
@_cdecl("LLVMFuzzerTestOneInput")
public func spanscopeFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzOneInput.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if LIBFUZZER
/// libFuzzer's driver, run from our own `main` (SwiftPM names executables' entry
/// points itself, so libFuzzer's `main` cannot be used).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@main
enum FuzzDriver {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, spanscopeFuzzOneInput))
    }
}
#else
/// Without libFuzzer: replays files (a corpus, crash reproducers, the fixtures)
/// through the same checks. `spanscope-fuzz FILE|DIR…`
@main
enum FuzzReplay {
    static func main() {
        var files: [String] = []
        for arg in CommandLine.arguments.dropFirst() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: arg, isDirectory: &isDir) else {
                FileHandle.standardError.write(Data("spanscope-fuzz: no such file: \(arg)\n".utf8))
                exit(2)
            }
            if isDir.boolValue {
                let walker = FileManager.default.enumerator(atPath: arg)
                while let rel = walker?.nextObject() as? String {
                    let path = arg + "/" + rel
                    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue { files.append(path) }
                }
            } else {
                files.append(arg)
            }
        }
        for file in files.sorted() {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            FuzzOneInput.run(Array(data))
        }
        print("spanscope-fuzz: \(files.count) inputs replayed, all checks held")
    }
}
#endif
