//! Exit codes: 0 success, 2 input error, 3 numerical failure (DESIGN.md §4).

/// Input error: the files or the model they describe are wrong.
pub const INPUT_ERROR: i32 = 2;
/// Numerical failure: singular or indefinite system, inverted element.
pub const NUMERICAL_FAILURE: i32 = 3;

/// The error chain as one line, outermost context first, each cause said once: a cause
/// whose text the line already holds (a library error that prints its source, like
/// `path: No such file or directory`) is not repeated.
pub fn message(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// The exit code for an error chain: [`NUMERICAL_FAILURE`] when the library classes it as a
/// numerical failure ([`osteon::is_numerical_failure`], which the Python package's
/// exceptions follow too), else [`INPUT_ERROR`].
pub fn code_for(err: &anyhow::Error) -> i32 {
    let err: &(dyn std::error::Error + 'static) = &**err;
    if osteon::is_numerical_failure(err) {
        NUMERICAL_FAILURE
    } else {
        INPUT_ERROR
    }
}
