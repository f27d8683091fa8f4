package nativeagent;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import org.graalvm.nativeimage.hosted.Feature;

/**
 * Netty's classes are initialised at image build time (Netty's own native-image.properties), and
 * their static InternalLogger fields would otherwise bind to SLF4J/logback at build time, putting
 * logback objects into the image heap before the agent configures logging. Route Netty's own
 * logging to java.util.logging instead (Netty is configured at WARN in the agent anyway).
 */
public final class NettyBuildTimeLogging implements Feature {
    @Override
    public void afterRegistration(AfterRegistrationAccess access) {
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    }
}
