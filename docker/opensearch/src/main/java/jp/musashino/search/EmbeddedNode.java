package jp.musashino.search;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A single-node OpenSearch 2.19 for development and the service tests: plain
 * HTTP on 127.0.0.1, no security plugin, the distribution's modules that the
 * portal needs loaded from the classpath.
 *
 * <pre>
 * java -cp 'target/opensearch-embedded.jar:target/lib/*' jp.musashino.search.EmbeddedNode \
 *     --home /tmp/musashino-opensearch [--port 9200] [-Esetting=value ...]
 * </pre>
 *
 * Environment fallbacks: OPENSEARCH_HOME, OPENSEARCH_PORT, OPENSEARCH_NODE_NAME,
 * OPENSEARCH_LOG_LEVEL (root logger, default WARN). Logs go to stdout; the
 * start script redirects them to a file. SIGTERM closes the node cleanly.
 */
public final class EmbeddedNode {

    /** The modules of the OpenSearch distribution loaded from the classpath. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        PainlessPlugin.class,
        MapperExtrasPlugin.class
    );

    /**
     * Node's constructor that takes classpath plugins is protected (the test
     * framework's MockNode does the same). In 2.19.6 its signature is
     * {@code Node(Environment, Collection<Class<? extends Plugin>>, boolean)}.
     */
    static final class PluginNode extends Node {
        PluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private EmbeddedNode() {}

    public static void main(String[] args) throws Exception {
        String home = env("OPENSEARCH_HOME", "/tmp/musashino-opensearch");
        String port = env("OPENSEARCH_PORT", "9200");
        String nodeName = env("OPENSEARCH_NODE_NAME", "musashino-dev-1");
        Settings.Builder extra = Settings.builder();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--home") && i + 1 < args.length) {
                home = args[++i];
            } else if (arg.equals("--port") && i + 1 < args.length) {
                port = args[++i];
            } else if (arg.equals("--name") && i + 1 < args.length) {
                nodeName = args[++i];
            } else if (arg.startsWith("-E") && arg.indexOf('=') > 2) {
                int eq = arg.indexOf('=');
                extra.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                System.err.println("usage: EmbeddedNode [--home DIR] [--port N] [--name NAME] [-Ekey=value ...]");
                System.exit(2);
            }
        }

        // Before any OpenSearch class asks log4j for a logger. log4j's own
        // shutdown hook would stop logging while the node is still closing.
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.disable.jmx", "true");
        configureLogging(Level.toLevel(env("OPENSEARCH_LOG_LEVEL", "WARN"), Level.WARN));
        Logger logger = LogManager.getLogger(EmbeddedNode.class);

        Path homeDir = Paths.get(home).toAbsolutePath();
        Path dataDir = homeDir.resolve("data");
        Path logsDir = homeDir.resolve("logs");
        Files.createDirectories(dataDir);
        Files.createDirectories(logsDir);
        Files.createDirectories(homeDir.resolve("config"));
        Files.createDirectories(homeDir.resolve("plugins"));

        Settings settings = Settings.builder()
            .put("cluster.name", "musashino-dev")
            .put("node.name", nodeName)
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", port)
            .put("transport.port", "9300-9399")
            .put("path.home", homeDir.toString())
            .put("path.data", dataDir.toString())
            .put("path.logs", logsDir.toString())
            // A throw-away node in /tmp: a nearly full disk must not turn the
            // indices read-only or leave new shards unassigned.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put(extra.build())
            .build();

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings,
            Collections.emptyMap(),
            null,
            () -> "musashino-dev-1"
        );
        Node node = new PluginNode(environment, PLUGINS);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                logger.info("stopping OpenSearch node");
                node.close();
                if (node.awaitClose(20, TimeUnit.SECONDS) == false) {
                    logger.warn("OpenSearch node did not close within 20s");
                }
            } catch (Exception e) {
                logger.error("failed to close the OpenSearch node", e);
            } finally {
                logger.info("OpenSearch node closed");
                LogManager.shutdown();
            }
        }, "opensearch-shutdown"));

        try {
            node.start();
        } catch (Exception e) {
            logger.error("OpenSearch node failed to start", e);
            System.exit(1);
        }
        try {
            // One node: replicas could never be assigned, so new indices get
            // none and stay green. Index creation reads this from the cluster
            // metadata, not from the node settings.
            node.client().admin().cluster().prepareUpdateSettings()
                .setPersistentSettings(Settings.builder().put("cluster.default_number_of_replicas", 0))
                .get();
        } catch (Exception e) {
            logger.warn("could not set cluster.default_number_of_replicas: {}", e.toString());
        }
        logger.info("OpenSearch {} started: http://127.0.0.1:{}/ (home {})",
            org.opensearch.Version.CURRENT, port, homeDir);

        // Node threads keep the JVM alive; the main thread only waits.
        Thread.currentThread().join();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** stdout, root at the given level; the node's and this launcher's start-up lines at INFO. */
    private static void configureLogging(Level rootLevel) {
        ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
        b.setConfigurationName("musashino-opensearch");
        b.setStatusLevel(Level.ERROR);
        b.setShutdownHook("disable"); // the node logs while it closes; LogManager.shutdown() above
        b.add(
            b.newAppender("stdout", "Console")
                .addAttribute("target", ConsoleAppender.Target.SYSTEM_OUT)
                .add(b.newLayout("PatternLayout").addAttribute("pattern", "[%d{ISO8601}][%-5p][%c{1}] %m%n"))
        );
        b.add(b.newRootLogger(rootLevel).add(b.newAppenderRef("stdout")));
        Level startup = rootLevel.isMoreSpecificThan(Level.INFO) ? Level.INFO : rootLevel;
        for (String name : List.of("org.opensearch.node.Node", "jp.musashino.search")) {
            b.add(b.newLogger(name, startup).add(b.newAppenderRef("stdout")).addAttribute("additivity", false));
        }
        // Deprecation notices also reach clients as HTTP Warning headers.
        b.add(b.newLogger("org.opensearch.gateway.DanglingIndicesState", Level.ERROR).add(b.newAppenderRef("stdout")).addAttribute("additivity", false));
        b.add(b.newLogger("org.opensearch.deprecation", Level.ERROR).add(b.newAppenderRef("stdout")).addAttribute("additivity", false));
        Configurator.reconfigure(b.build());
    }
}
