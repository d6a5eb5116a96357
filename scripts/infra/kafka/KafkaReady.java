import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;

/**
 * Readiness probe used by kafka.sh: exits 0 once the broker at args[0] answers a metadata call with at
 * least one live (unfenced) broker and a controller, exits 1 after args[1] seconds with the last error.
 */
public final class KafkaReady {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "poort-infra-ready-probe");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    String last = "no answer";
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          long wait = Math.max(500, Math.min(5000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
          DescribeClusterResult cluster = admin.describeCluster();
          int brokers = cluster.nodes().get(wait, TimeUnit.MILLISECONDS).size();
          var controller = cluster.controller().get(wait, TimeUnit.MILLISECONDS);
          if (brokers > 0 && controller != null && !controller.isEmpty()) {
            admin.listTopics().names().get(wait, TimeUnit.MILLISECONDS);
            System.out.println("ready: cluster " + cluster.clusterId().get() + ", " + brokers + " broker(s)");
            return;
          }
          last = "metadata answered with " + brokers + " live broker(s) and no controller yet";
        } catch (Exception e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          last = cause.getMessage() == null
              ? cause.getClass().getSimpleName() + " (no answer in time)"
              : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        if (System.nanoTime() > deadline) {
          System.err.println("not ready: " + last);
          System.exit(1);
        }
        Thread.sleep(250);
      }
    }
  }
}
