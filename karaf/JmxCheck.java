import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * karaf/verify.sh's look at mpage's MBeans through Karaf's own JMX connector, as JConsole would:
 * {@code java karaf/JmxCheck.java URL USER PASSWORD DEVICE} with DEVICE mounted read-only.
 */
public final class JmxCheck {
  public static void main(String[] args) throws Exception {
    JMXServiceURL url = new JMXServiceURL(args[0]);
    Map<String, Object> env = Map.of(JMXConnector.CREDENTIALS, new String[] {args[1], args[2]});
    String device = args[3];
    try (JMXConnector c = JMXConnectorFactory.connect(url, env)) {
      MBeanServerConnection jmx = c.getMBeanServerConnection();
      ObjectName dev = new ObjectName("org.mpage:type=Device,name=" + device);
      ObjectName mount = new ObjectName("org.mpage:type=Mount,name=" + device);
      ObjectName engine = new ObjectName("org.mpage:type=Engine,name=engine");
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!(jmx.isRegistered(dev) && jmx.isRegistered(mount) && jmx.isRegistered(engine))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no MBeans of " + device + ": " + jmx.queryNames(new ObjectName("org.mpage:*"), null));
        }
        Thread.sleep(200);
      }
      long reads = (Long) jmx.getAttribute(dev, "ReadsCompleted");
      String type = (String) jmx.getAttribute(mount, "Type");
      String mode = (String) jmx.getAttribute(mount, "Mode");
      long biosRead = (Long) jmx.getAttribute(engine, "BiosRead");
      if (reads <= 0 || !type.equals("ext2") || !mode.equals("ro") || biosRead <= 0) {
        throw new AssertionError(device + ": reads " + reads + ", " + type + " " + mode + ", engine BIOs read " + biosRead);
      }
      System.out.println("jmx: " + device + " reads " + reads + ", mount " + type + " " + mode + ", engine BIOs read " + biosRead);
    }
  }
}
