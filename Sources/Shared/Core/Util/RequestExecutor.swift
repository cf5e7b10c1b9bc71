/// The task executor a request's tasks prefer (see the server's loop-affine executor), for the unstructured tasks
/// a request starts (a stream's producer), which do not inherit a preference the way child tasks do.
public enum RequestExecutor {
    @TaskLocal public static var preferred: (any TaskExecutor)?
}
