import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A C library function looked up at run time: one the Glibc module leaves out
/// (`memrchr`), or one another libc may not have (`malloc_trim`). Nil where there is
/// none, and the caller does without.
public enum LibcFunction {
    public static func named<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
        #else
        return nil
        #endif
    }
}
