// `drivepipe check-config FILE`: validate a pipeline config and print the effective config
// (defaults filled in) as YAML on stdout; errors name the key path, exit code 2.
import ArgumentParser
import Config

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a pipeline config (YAML) and print the effective configuration.")

    @Argument(help: "Pipeline config file, e.g. pipelines/default.yaml.")
    var file: String

    func run() throws {
        do {
            let cfg = try ConfigLoader.load(path: file)
            print(cfg.yaml(), terminator: "")
        } catch {
            printError("drivepipe check-config: \(file): \(error)")
            throw ExitCode(2)
        }
    }
}
