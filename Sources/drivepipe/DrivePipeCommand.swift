import ArgumentParser

/// `drivepipe`: the command-line entry. Each subcommand lives in its own file.
@main
struct DrivePipeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drivepipe",
        abstract: "A camera perception daemon: frames in, driving decisions out (NDJSON on stdout).",
        subcommands: [
            RunCommand.self,
            CheckConfigCommand.self,
            InferCommand.self,
            BenchCommand.self,
            InspectCommand.self,
        ]
    )
}
