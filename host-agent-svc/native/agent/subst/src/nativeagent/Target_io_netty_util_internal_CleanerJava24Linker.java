package nativeagent;

import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;
import org.graalvm.nativeimage.UnmanagedMemory;
import org.graalvm.word.WordFactory;

/** Replace Netty 4.2's FFM (Linker) malloc/free with SubstrateVM unmanaged memory,
 *  because the FFM downcall support module (svm-foreign) is not published on Maven Central. */
@TargetClass(className = "io.netty.util.internal.CleanerJava24Linker")
final class Target_io_netty_util_internal_CleanerJava24Linker {
    @Substitute
    static long malloc(int size) {
        return UnmanagedMemory.malloc(WordFactory.unsigned(size)).rawValue();
    }

    @Substitute
    static void free(long address) {
        UnmanagedMemory.free(WordFactory.pointer(address));
    }
}
